import { ProviderError, fetchFailure, timeoutSignal } from '../provider-error';
import type { ChatToolCall, LlmEvent, LlmProvider, LlmRequest } from './llm';
import { SseParser } from './sse-parser';

export interface OpenAiLlmOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  model: string;
  /** Until the response headers and then between two chunks. */
  idleTimeoutMs?: number;
  temperature?: number;
}

interface ChunkChoice {
  delta?: {
    content?: string | null;
    tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[];
  };
  message?: { content?: string | null; tool_calls?: ChatToolCall[] };
  finish_reason?: string | null;
}

/**
 * OpenAI-compatible streaming chat completions (`POST {baseUrl}/chat/completions`, `stream: true`)
 * with plain fetch and SSE parsing. Tool-call deltas are assembled by `index`; a server that
 * ignores `stream` and answers one JSON document is accepted too.
 */
export class OpenAiLlm implements LlmProvider {
  readonly name = 'openai-compatible';
  readonly #o: OpenAiLlmOptions;

  constructor(options: OpenAiLlmOptions) {
    this.#o = options;
  }

  get model(): string {
    return this.#o.model;
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmEvent> {
    const idleMs = this.#o.idleTimeoutMs ?? 15_000;
    const t = timeoutSignal(request.signal, idleMs);
    const body: Record<string, unknown> = { model: this.#o.model, messages: request.messages, stream: true };
    if (request.tools.length > 0) body.tools = request.tools;
    if (this.#o.temperature !== undefined) body.temperature = this.#o.temperature;
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    try {
      const res = await fetch(`${this.#o.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(this.#o.apiKey ? { authorization: `Bearer ${this.#o.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        signal: t.signal,
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw new ProviderError('llm', 'provider_status', `LLM answered HTTP ${res.status}`, { status: res.status });
      }
      if (!res.body) throw new ProviderError('llm', 'provider_bad_response', 'LLM answered without a body');
      const pending = new Map<number, ChatToolCall>();
      let finish: string | null = null;
      let sawDone = false;
      if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        const choice = parseChunk(await res.text()).choices?.[0];
        const content = choice?.message?.content;
        if (content) yield { type: 'text', text: content };
        for (const call of choice?.message?.tool_calls ?? []) yield { type: 'tool_call', call };
        yield { type: 'done', finishReason: choice?.finish_reason ?? null };
        return;
      }
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      const handle = function* (data: string): Generator<LlmEvent> {
        if (data.trim() === '[DONE]') {
          sawDone = true;
          return;
        }
        const choice = parseChunk(data).choices?.[0];
        if (!choice) return;
        const content = choice.delta?.content;
        if (content) yield { type: 'text', text: content };
        for (const d of choice.delta?.tool_calls ?? []) {
          const idx = d.index ?? 0;
          const call = pending.get(idx) ?? { id: '', type: 'function' as const, function: { name: '', arguments: '' } };
          if (d.id) call.id = d.id;
          if (d.function?.name) call.function.name += d.function.name;
          if (d.function?.arguments) call.function.arguments += d.function.arguments;
          pending.set(idx, call);
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      };
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        t.restart();
        for (const data of parser.push(decoder.decode(value, { stream: true }))) yield* handle(data);
        if (sawDone) break;
      }
      for (const data of parser.end()) yield* handle(data);
      await reader.cancel().catch(() => undefined);
      if (!sawDone && finish === null)
        throw new ProviderError('llm', 'provider_bad_response', 'LLM stream ended early');
      let n = 0;
      for (const call of [...pending.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])) {
        if (!call.function.name)
          throw new ProviderError('llm', 'provider_bad_response', 'LLM tool call without a name');
        if (!call.id) call.id = `call_${n}`;
        n += 1;
        yield { type: 'tool_call', call };
      }
      yield { type: 'done', finishReason: finish };
    } catch (err) {
      throw fetchFailure('llm', err, t.timedOut());
    } finally {
      t.clear();
    }
  }
}

function parseChunk(data: string): { choices?: ChunkChoice[] } {
  try {
    const v = JSON.parse(data) as unknown;
    if (typeof v !== 'object' || v === null) throw new Error('not an object');
    return v;
  } catch {
    throw new ProviderError('llm', 'provider_bad_response', 'LLM sent a chunk that is not JSON');
  }
}

/** The model of a product tier: `LLM_MODEL_<TIER>` (`-with-ack` variants share their tier), else `LLM_MODEL`. */
export function modelForProduct(
  llm: { model: string; modelByProduct: Partial<Record<string, string>> },
  product: string,
): string {
  const tier = product.replace(/-with-ack$/, '');
  return llm.modelByProduct[tier] ?? llm.model;
}
