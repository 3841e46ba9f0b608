import { encodeMulaw } from '../../audio/g711';
import { TypedEmitter } from '../../shared/typed-emitter';
import { ProviderError } from '../provider-error';
import { FinalizeWaiters } from './finalize-waiters';
import type { StreamingSttProvider, SttStream, SttStreamEvents, SttStreamOptions } from './stt';
import { SttSocket } from './stt-socket';
import { UnconfirmedAudio } from './unconfirmed-audio';

export interface OpenAiRealtimeSttOptions {
  /** The Realtime endpoint, e.g. `wss://api.openai.com/v1/realtime` (`?intent=transcription` is added). */
  url: string;
  apiKey?: string | undefined;
  /** Transcription model, e.g. `gpt-4o-transcribe`, `whisper-1`. */
  model: string;
  finalizeTimeoutMs?: number | undefined;
  /** A WebSocket ping after this long without audio. */
  keepAliveMs?: number | undefined;
}

/**
 * OpenAI Realtime transcription (`/v1/realtime?intent=transcription`): `transcription_session.update`
 * (G.711 μ-law input at 8 kHz, the telephone's own, no server turn detection: our turn-taking
 * commits), `input_audio_buffer.append` per frame, `input_audio_buffer.commit` at a pause; the
 * server answers `input_audio_buffer.committed`, then `conversation.item.input_audio_transcription.delta`
 * and `.completed` for that item. Self-hosted servers (vLLM, speaches) speak it too.
 */
export class OpenAiRealtimeStt implements StreamingSttProvider {
  readonly name = 'openai-realtime';
  readonly #o: OpenAiRealtimeSttOptions;

  constructor(options: OpenAiRealtimeSttOptions) {
    this.#o = options;
  }

  urlFor(): string {
    const url = new URL(this.#o.url.replace(/^http/, 'ws'));
    url.searchParams.set('intent', 'transcription');
    return url.toString();
  }

  open(options: SttStreamOptions): SttStream {
    return new RealtimeTranscriptionStream(this.urlFor(), this.#o, options);
  }
}

interface RealtimeMessage {
  type?: string;
  item_id?: string;
  delta?: string;
  transcript?: string;
  error?: { message?: string; code?: string };
}

class RealtimeTranscriptionStream extends TypedEmitter<SttStreamEvents> implements SttStream {
  readonly #o: OpenAiRealtimeSttOptions;
  readonly #language: string | undefined;
  readonly #audio = new UnconfirmedAudio();
  readonly #finals: FinalizeWaiters;
  readonly #socket: SttSocket;
  /** Connection positions (samples) of the commits not yet transcribed, oldest first. */
  readonly #commits: number[] = [];
  /** Committed items not yet completed → the commit's position. */
  readonly #items = new Map<string, number>();
  readonly #partial = new Map<string, string>();
  /** Connection position of the last commit. */
  #committedAt = 0;

  constructor(url: string, o: OpenAiRealtimeSttOptions, options: SttStreamOptions) {
    super();
    this.#o = o;
    this.#language = options.language?.split('-')[0];
    this.#finals = new FinalizeWaiters(o.finalizeTimeoutMs ?? 5000);
    const headers: Record<string, string> = { 'openai-beta': 'realtime=v1' };
    if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
    this.#socket = new SttSocket({
      url,
      headers,
      timers: options.timers,
      keepAliveMs: o.keepAliveMs ?? 5000,
      keepAlive: () => this.#socket.ping(),
      onOpen: () => this.#onOpen(),
      onMessage: (text) => this.#onMessage(text),
      onDrop: (err) => this.emit('error', err),
    });
  }

  send(frame: Int16Array): void {
    this.#audio.push(frame);
    this.#socket.send(this.#append(frame));
  }

  finalize(): Promise<void> {
    if (this.#audio.empty) return Promise.resolve();
    const done = this.#finals.add();
    this.#commit();
    return done;
  }

  close(): void {
    this.#finals.rejectAll(new ProviderError('stt', 'provider_aborted', 'streaming STT closed'));
    this.#socket.close();
  }

  #append(frame: Int16Array): string {
    return JSON.stringify({
      type: 'input_audio_buffer.append',
      audio: Buffer.from(encodeMulaw(frame)).toString('base64'),
    });
  }

  #commit(): void {
    const at = this.#audio.sentSamples;
    if (at <= this.#committedAt) return;
    this.#committedAt = at;
    this.#commits.push(at);
    this.#socket.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
  }

  #onOpen(): void {
    const transcription: Record<string, string> = { model: this.#o.model };
    if (this.#language) transcription.language = this.#language;
    this.#socket.send(
      JSON.stringify({
        type: 'transcription_session.update',
        session: {
          input_audio_format: 'g711_ulaw',
          input_audio_transcription: transcription,
          turn_detection: null,
        },
      }),
    );
    // A new connection knows nothing of what was sent before: resend what is not final and commit again.
    this.#commits.length = 0;
    this.#items.clear();
    this.#partial.clear();
    this.#committedAt = 0;
    for (const f of this.#audio.restart()) this.#socket.send(this.#append(f));
    if (this.#finals.pending) this.#commit();
  }

  #onMessage(text: string): void {
    let m: RealtimeMessage;
    try {
      m = JSON.parse(text) as RealtimeMessage;
    } catch {
      return;
    }
    switch (m.type) {
      case 'input_audio_buffer.committed': {
        const at = this.#commits.shift();
        if (m.item_id && at !== undefined) this.#items.set(m.item_id, at);
        return;
      }
      case 'input_audio_buffer.speech_started':
        return void this.emit('speechStarted');
      case 'conversation.item.input_audio_transcription.delta': {
        if (!m.item_id || !this.#items.has(m.item_id)) return;
        const partial = (this.#partial.get(m.item_id) ?? '') + (m.delta ?? '');
        this.#partial.set(m.item_id, partial);
        return void this.emit('result', { text: partial.trim(), isFinal: false, speechFinal: false });
      }
      case 'conversation.item.input_audio_transcription.completed':
        return this.#completed(m.item_id, (m.transcript ?? '').trim());
      case 'conversation.item.input_audio_transcription.failed':
        this.emit('error', new ProviderError('stt', 'provider_bad_response', 'realtime transcription failed'));
        return this.#completed(m.item_id, '');
      case 'error': {
        const err = m.error ?? {};
        // Committing a buffer with too little audio: nothing to transcribe.
        if (err.code === 'input_audio_buffer_commit_empty') {
          this.#commits.shift();
          if (this.#commits.length === 0 && this.#items.size === 0) this.#finals.resolveAll();
          return;
        }
        return void this.emit(
          'error',
          new ProviderError('stt', 'provider_bad_response', `realtime transcription: ${err.message ?? 'error'}`),
        );
      }
      default:
        return;
    }
  }

  #completed(itemId: string | undefined, transcript: string): void {
    if (!itemId) return;
    const at = this.#items.get(itemId);
    if (at === undefined) return;
    this.#items.delete(itemId);
    this.#partial.delete(itemId);
    this.#audio.confirmUntil(at);
    this.emit('result', { text: transcript, isFinal: true, speechFinal: true });
    if (this.#commits.length === 0 && this.#items.size === 0) this.#finals.resolveAll();
  }
}
