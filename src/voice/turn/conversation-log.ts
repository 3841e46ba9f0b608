import type { ChatMessage, ChatToolCall } from '../llm/llm';
import { canonicalJson } from '../tools/tool-signature';
import type { TranscriptTurn } from '../session-events';

/** Tool responses longer than this are cut in the transcript (the model still gets them whole). */
const MAX_TRANSCRIPT_TOOL_CHARS = 6_000;

/**
 * The LLM context and the non-assistant transcript turns (user speech, keypad, tools). Assistant
 * turns of the transcript come from what was really played (SpokenTurn); their LLM messages are
 * cut to the same text after a barge-in so the model knows what the caller heard.
 */
export class ConversationLog {
  readonly messages: ChatMessage[];
  /** Transcript turns with their creation sequence (shared with the spoken turns' order). */
  readonly turns: { seq: number; turn: TranscriptTurn }[] = [];
  readonly #byRound = new Map<number, Extract<ChatMessage, { role: 'assistant' }>>();
  #seq = 0;

  constructor(systemPrompt: string) {
    this.messages = [{ role: 'system', content: systemPrompt }];
  }

  /** The next creation order of a transcript entry: the transcript lists turns in the order they happened. */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** The text of the agent's last line in the context ('' before it spoke). */
  lastAssistantText(): string {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i]!;
      if (m.role === 'user') return '';
      if (m.role === 'assistant' && typeof m.content === 'string' && m.content !== '') return m.content;
    }
    return '';
  }

  user(text: string, startMs: number, endMs: number): void {
    this.messages.push({ role: 'user', content: text });
    this.turns.push({
      seq: this.nextSeq(),
      turn: {
        role: 'user',
        content_type: 'text/plain',
        content: text,
        start_ms: Math.round(startMs),
        end_ms: Math.round(endMs),
      },
    });
  }

  userDtmf(digits: string, atMs: number): void {
    this.messages.push({ role: 'user', content: `[The caller pressed the keypad keys: ${digits}]` });
    this.turns.push({
      seq: this.nextSeq(),
      turn: {
        role: 'user',
        content_type: 'text/plain',
        content: `[DTMF ${digits}]`,
        start_ms: Math.round(atMs),
        end_ms: Math.round(atMs),
      },
    });
  }

  assistant(roundId: number, text: string, calls: ChatToolCall[]): void {
    if (text === '' && calls.length === 0) return;
    const msg: Extract<ChatMessage, { role: 'assistant' }> = { role: 'assistant', content: text === '' ? null : text };
    if (calls.length > 0) msg.tool_calls = calls;
    this.messages.push(msg);
    this.#byRound.set(roundId, msg);
  }

  /** After a barge-in: the round's message says only what was played (or goes away). */
  truncate(roundId: number, spoken: string): void {
    const msg = this.#byRound.get(roundId);
    if (!msg) {
      if (spoken !== '') this.assistant(roundId, spoken, []);
      return;
    }
    if (spoken === '' && !msg.tool_calls) {
      const i = this.messages.indexOf(msg);
      if (i >= 0) this.messages.splice(i, 1);
      this.#byRound.delete(roundId);
      return;
    }
    msg.content = spoken === '' ? null : spoken;
  }

  tool(call: ChatToolCall, args: unknown, result: unknown, startMs: number, endMs: number): void {
    const json = canonicalJson(result ?? null);
    this.messages.push({ role: 'tool', tool_call_id: call.id, content: json });
    this.turns.push({
      seq: this.nextSeq(),
      turn: {
        role: 'tool_call',
        content_type: 'application/json',
        content: { name: call.function.name, arguments: args },
        start_ms: Math.round(startMs),
        end_ms: Math.round(startMs),
      },
    });
    const content =
      json.length > MAX_TRANSCRIPT_TOOL_CHARS
        ? { truncated: true, preview: json.slice(0, MAX_TRANSCRIPT_TOOL_CHARS) }
        : result;
    this.turns.push({
      seq: this.nextSeq(),
      turn: {
        role: 'tool_response',
        content_type: 'application/json',
        content,
        start_ms: Math.round(endMs),
        end_ms: Math.round(endMs),
      },
    });
  }
}
