import { ProviderError, fetchFailure, timeoutSignal } from '../provider-error';
import type { TtsProvider } from './tts';
import { WavStreamDecoder } from '../../audio/wav-stream-decoder';

export interface OpenAiTtsOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  model: string;
  idleTimeoutMs?: number;
}

/** OpenAI-compatible `POST {baseUrl}/audio/speech` with `response_format: "wav"`, streamed and resampled to 8 kHz. */
export class OpenAiTts implements TtsProvider {
  readonly name = 'openai-compatible';
  readonly #o: OpenAiTtsOptions;

  constructor(options: OpenAiTtsOptions) {
    this.#o = options;
  }

  async *synthesize(
    text: string,
    options: { voice: string; signal?: AbortSignal | undefined },
  ): AsyncIterable<Int16Array> {
    if (text.trim() === '') return;
    const t = timeoutSignal(options.signal, this.#o.idleTimeoutMs ?? 10_000);
    try {
      const res = await fetch(`${this.#o.baseUrl}/audio/speech`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.#o.apiKey ? { authorization: `Bearer ${this.#o.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: this.#o.model, input: text, voice: options.voice, response_format: 'wav' }),
        signal: t.signal,
      });
      if (!res.ok || !res.body) {
        await res.body?.cancel().catch(() => undefined);
        throw new ProviderError('tts', 'provider_status', `TTS answered HTTP ${res.status}`, { status: res.status });
      }
      const decoder = new WavStreamDecoder();
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        t.restart();
        let samples: Int16Array;
        try {
          samples = decoder.push(Buffer.from(value));
        } catch (err) {
          throw new ProviderError(
            'tts',
            'provider_bad_response',
            `TTS answer is not a WAV stream: ${(err as Error).message}`,
          );
        }
        if (samples.length > 0) yield samples;
      }
      if (!decoder.started) throw new ProviderError('tts', 'provider_bad_response', 'TTS answer is not a WAV stream');
      const tail = decoder.end();
      if (tail.length > 0) yield tail;
    } catch (err) {
      throw fetchFailure('tts', err, t.timedOut());
    } finally {
      t.clear();
    }
  }
}
