import type { RealtimeAudioOut } from '../realtime/realtime-audio';
import type { ServerEvent, ServerEvents } from '../realtime/server-events';

/** What the response bookkeeping needs from its bridge. */
export interface RealtimeResponsesContext {
  events: ServerEvents;
  send: (event: ServerEvent) => void;
  newId: (prefix: string) => string;
  /** conversation.item.created for `item` after the last item (the bridge keeps the order). */
  created: (item: Record<string, unknown>) => void;
  /** The session's current output encoder (session.update may replace it). */
  out: () => RealtimeAudioOut;
  /** `rate_limits.updated` entries sent after each response. */
  rateLimits?: (() => Promise<Record<string, unknown>[]>) | undefined;
  onRateLimitsFailed: (err: unknown) => void;
}

interface OpenResponse {
  id: string;
  itemId: string | undefined;
  transcript: string;
  audioMs: number;
  output: Record<string, unknown>[];
}

/**
 * The agent's responses as OpenAI Realtime server events: `response.created`, the assistant
 * message item opened at its first text or audio, transcript and audio deltas, client tool calls
 * as function_call items, and `response.done` with its output and usage. Keyed by the agent
 * session's response number; assistant item ids map back to it for `conversation.item.truncate`.
 */
export class RealtimeResponses {
  readonly #c: RealtimeResponsesContext;
  readonly #responses = new Map<number, OpenResponse>();
  /** The response whose audio is being sent. */
  #audioResponse: number | undefined;
  readonly #assistantItems = new Map<string, number>();

  constructor(context: RealtimeResponsesContext) {
    this.#c = context;
  }

  /** The agent response an assistant item belongs to, and whether it is still open (playing). */
  ofItem(itemId: string): { open: boolean } | undefined {
    const id = this.#assistantItems.get(itemId);
    return id === undefined ? undefined : { open: this.#responses.has(id) };
  }

  started(id: number): void {
    const r: OpenResponse = { id: this.#c.newId('resp_'), itemId: undefined, transcript: '', audioMs: 0, output: [] };
    this.#responses.set(id, r);
    this.#c.send(
      this.#c.events.event('response.created', {
        response: {
          id: r.id,
          object: 'realtime.response',
          status: 'in_progress',
          status_details: null,
          output: [],
          usage: null,
        },
      }),
    );
  }

  /** The response's assistant message item, opened at its first text or audio. */
  #messageItem(id: number): OpenResponse | undefined {
    const r = this.#responses.get(id);
    if (!r || r.itemId !== undefined) return r;
    const ev = this.#c.events;
    r.itemId = this.#c.newId('item_');
    this.#assistantItems.set(r.itemId, id);
    const item = ev.assistantItem({ id: r.itemId, status: 'in_progress', transcript: '' });
    this.#c.send(ev.event('response.output_item.added', { response_id: r.id, output_index: 0, item }));
    this.#c.created(item);
    this.#c.send(
      ev.event('response.content_part.added', {
        response_id: r.id,
        item_id: r.itemId,
        output_index: 0,
        content_index: 0,
        part: ev.audioPart(''),
      }),
    );
    return r;
  }

  text(id: number, delta: string): void {
    const r = this.#messageItem(id);
    if (!r) return;
    r.transcript += delta;
    const ev = this.#c.events;
    this.#c.send(
      ev.event(ev.names.transcriptDelta, {
        response_id: r.id,
        item_id: r.itemId,
        output_index: 0,
        content_index: 0,
        delta,
      }),
    );
  }

  /** One agent frame as an audio delta of the newest open response; false when none is open. */
  audio(frame: Int16Array): boolean {
    // Audio belongs to the newest open response (an acknowledgement plays inside its answer).
    const id = [...this.#responses.keys()].pop();
    if (id === undefined) return false;
    const out = this.#c.out();
    if (this.#audioResponse !== id) {
      this.#audioResponse = id;
      out.reset();
    }
    const r = this.#messageItem(id)!;
    const delta = out.encode(frame);
    r.audioMs += out.msOf(delta);
    const ev = this.#c.events;
    this.#c.send(
      ev.event(ev.names.audioDelta, {
        response_id: r.id,
        item_id: r.itemId,
        output_index: 0,
        content_index: 0,
        delta,
      }),
    );
    return true;
  }

  clientToolCall(id: number, call: { callId: string; name: string; arguments: string }): void {
    const r = this.#responses.get(id);
    if (!r) return;
    const ev = this.#c.events;
    const itemId = this.#c.newId('item_');
    const outputIndex = r.output.length + (r.itemId === undefined ? 0 : 1);
    const item = ev.functionCallItem(itemId, call.callId, call.name, call.arguments);
    this.#c.send(
      ev.event('response.output_item.added', {
        response_id: r.id,
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', arguments: '' },
      }),
    );
    this.#c.created(item);
    const at = { response_id: r.id, item_id: itemId, output_index: outputIndex, call_id: call.callId };
    this.#c.send(ev.event('response.function_call_arguments.delta', { ...at, delta: call.arguments }));
    this.#c.send(
      ev.event('response.function_call_arguments.done', { ...at, name: call.name, arguments: call.arguments }),
    );
    this.#c.send(ev.event('response.output_item.done', { response_id: r.id, output_index: outputIndex, item }));
    r.output.push(item);
  }

  done(id: number, status: 'completed' | 'cancelled' | 'failed'): void {
    const r = this.#responses.get(id);
    if (!r) return;
    this.#responses.delete(id);
    if (this.#audioResponse === id) this.#audioResponse = undefined;
    const ev = this.#c.events;
    const send = this.#c.send;
    const output: Record<string, unknown>[] = [];
    if (r.itemId !== undefined) {
      const at = { response_id: r.id, item_id: r.itemId, output_index: 0, content_index: 0 };
      send(ev.event(ev.names.audioDone, at));
      send(ev.event(ev.names.transcriptDone, { ...at, transcript: r.transcript }));
      send(ev.event('response.content_part.done', { ...at, part: ev.audioPart(r.transcript) }));
      const item = ev.assistantItem({
        id: r.itemId,
        status: status === 'completed' ? 'completed' : 'incomplete',
        transcript: r.transcript,
      });
      send(ev.event('response.output_item.done', { response_id: r.id, output_index: 0, item }));
      for (const e of ev.itemDone(item, null)) send(e);
      output.push(item);
    }
    output.push(...r.output);
    const outputTokens = Math.ceil(r.transcript.length / 4);
    send(
      ev.event('response.done', {
        response: {
          id: r.id,
          object: 'realtime.response',
          status,
          status_details:
            status === 'cancelled'
              ? { type: 'cancelled', reason: 'turn_detected' }
              : status === 'failed'
                ? { type: 'failed', error: { type: 'server_error', code: 'provider_error' } }
                : null,
          output,
          usage: {
            total_tokens: outputTokens,
            input_tokens: 0,
            output_tokens: outputTokens,
            output_token_details: { text_tokens: outputTokens, audio_tokens: 0 },
            input_token_details: { text_tokens: 0, audio_tokens: 0, cached_tokens: 0 },
          },
          audio_ms: Math.round(r.audioMs),
        },
      }),
    );
    void this.#c
      .rateLimits?.()
      .then((rateLimits) => send(ev.event('rate_limits.updated', { rate_limits: rateLimits })))
      .catch((err: unknown) => this.#c.onRateLimitsFailed(err));
  }
}
