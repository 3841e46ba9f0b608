import { encodeWav } from '../../audio/wav';
import { ProviderError, fetchFailure, timeoutSignal } from '../provider-error';
import type { SttProvider } from './stt';

export interface OpenAiSttOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  model: string;
  timeoutMs?: number;
}

/**
 * OpenAI-compatible `POST {baseUrl}/audio/transcriptions`: one multipart upload of a WAV per
 * utterance (works with OpenAI, Groq, faster-whisper-server, whisper.cpp server, vLLM…).
 */
export class OpenAiStt implements SttProvider {
  readonly name = 'openai-compatible';
  readonly #o: OpenAiSttOptions;

  constructor(options: OpenAiSttOptions) {
    this.#o = options;
  }

  async transcribe(
    audio: Int16Array,
    options: { sampleRateHz: number; language?: string | undefined; signal?: AbortSignal | undefined },
  ): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([encodeWav(audio, options.sampleRateHz)], { type: 'audio/wav' }), 'utterance.wav');
    form.append('model', this.#o.model);
    form.append('response_format', 'json');
    const lang = options.language?.split('-')[0];
    if (lang) form.append('language', lang);
    const t = timeoutSignal(options.signal, this.#o.timeoutMs ?? 10_000);
    try {
      const res = await fetch(`${this.#o.baseUrl}/audio/transcriptions`, {
        method: 'POST',
        body: form,
        headers: this.#o.apiKey ? { authorization: `Bearer ${this.#o.apiKey}` } : {},
        signal: t.signal,
      });
      const body = await res.text();
      if (!res.ok)
        throw new ProviderError('stt', 'provider_status', `STT answered HTTP ${res.status}`, { status: res.status });
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new ProviderError('stt', 'provider_bad_response', 'STT answered with invalid JSON');
      }
      const text = (parsed as { text?: unknown } | null)?.text;
      if (typeof text !== 'string') throw new ProviderError('stt', 'provider_bad_response', 'STT answer has no "text"');
      return text.trim();
    } catch (err) {
      throw fetchFailure('stt', err, t.timedOut());
    } finally {
      t.clear();
    }
  }
}
