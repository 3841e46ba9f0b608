import { encodeMulaw } from '../../audio/g711';
import { TypedEmitter } from '../../shared/typed-emitter';
import { ProviderError } from '../provider-error';
import { FinalizeWaiters } from './finalize-waiters';
import type { StreamingSttProvider, SttStream, SttStreamEvents, SttStreamOptions } from './stt';
import { SttSocket } from './stt-socket';
import { UnconfirmedAudio } from './unconfirmed-audio';

export interface DeepgramSttOptions {
  /** The live endpoint, e.g. `wss://api.deepgram.com/v1/listen` (http(s) URLs are turned into ws(s)). */
  url: string;
  apiKey?: string | undefined;
  model?: string | undefined;
  /** Audio on the wire: `mulaw` (8 bits a sample, the telephone's own) or `linear16`. */
  encoding: 'mulaw' | 'linear16';
  /** Deepgram's own endpointing: this much silence marks `speech_final`. */
  endpointingMs: number;
  /** `UtteranceEnd` after this gap after the last word (Deepgram's minimum is 1000). */
  utteranceEndMs: number;
  /** `Finalize` answered within this, or finalize() rejects. */
  finalizeTimeoutMs?: number | undefined;
  /** `KeepAlive` after this long without audio. */
  keepAliveMs?: number | undefined;
}

/**
 * Deepgram's live API (`GET /v1/listen` upgraded to a WebSocket): binary audio frames in;
 * `Results` (interim and final, `speech_final`), `SpeechStarted`, `UtteranceEnd` out; text
 * messages `KeepAlive`, `Finalize` and `CloseStream`. Also spoken by self-hosted Deepgram.
 */
export class DeepgramStt implements StreamingSttProvider {
  readonly name = 'deepgram';
  readonly #o: DeepgramSttOptions;

  constructor(options: DeepgramSttOptions) {
    this.#o = options;
  }

  /** The WebSocket URL with the live query parameters. */
  urlFor(options: SttStreamOptions): string {
    const o = this.#o;
    const url = new URL(o.url.replace(/^http/, 'ws'));
    const q = url.searchParams;
    if (o.model) q.set('model', o.model);
    if (options.language) q.set('language', options.language);
    q.set('encoding', o.encoding);
    q.set('sample_rate', String(options.sampleRateHz));
    q.set('channels', '1');
    q.set('interim_results', 'true');
    q.set('punctuate', 'true');
    q.set('smart_format', 'true');
    q.set('endpointing', String(o.endpointingMs));
    q.set('utterance_end_ms', String(o.utteranceEndMs));
    q.set('vad_events', 'true');
    return url.toString();
  }

  open(options: SttStreamOptions): SttStream {
    return new DeepgramStream(this.urlFor(options), this.#o, options);
  }
}

interface DeepgramMessage {
  type?: string;
  is_final?: boolean;
  speech_final?: boolean;
  from_finalize?: boolean;
  start?: number;
  duration?: number;
  channel?: { alternatives?: { transcript?: string }[] };
  description?: string;
  message?: string;
}

class DeepgramStream extends TypedEmitter<SttStreamEvents> implements SttStream {
  readonly #encoding: 'mulaw' | 'linear16';
  readonly #rate: number;
  readonly #audio = new UnconfirmedAudio();
  readonly #finals: FinalizeWaiters;
  readonly #socket: SttSocket;

  constructor(url: string, o: DeepgramSttOptions, options: SttStreamOptions) {
    super();
    this.#encoding = o.encoding;
    this.#rate = options.sampleRateHz;
    this.#finals = new FinalizeWaiters(o.finalizeTimeoutMs ?? 3000);
    this.#socket = new SttSocket({
      url,
      headers: o.apiKey ? { authorization: `Token ${o.apiKey}` } : {},
      timers: options.timers,
      keepAliveMs: o.keepAliveMs ?? 4000,
      keepAlive: () => this.#socket.send('{"type":"KeepAlive"}'),
      onOpen: () => {
        for (const f of this.#audio.restart()) this.#socket.send(this.#encode(f));
        if (this.#finals.pending) this.#socket.send('{"type":"Finalize"}');
      },
      onMessage: (text) => this.#onMessage(text),
      onDrop: (err) => this.emit('error', err),
    });
  }

  send(frame: Int16Array): void {
    this.#audio.push(frame);
    this.#socket.send(this.#encode(frame));
  }

  finalize(): Promise<void> {
    if (this.#audio.empty) return Promise.resolve();
    const done = this.#finals.add();
    this.#socket.send('{"type":"Finalize"}');
    return done;
  }

  close(): void {
    this.#finals.rejectAll(new ProviderError('stt', 'provider_aborted', 'streaming STT closed'));
    this.#socket.close('{"type":"CloseStream"}');
  }

  #encode(frame: Int16Array): Uint8Array {
    if (this.#encoding === 'mulaw') return encodeMulaw(frame);
    return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  }

  #onMessage(text: string): void {
    let m: DeepgramMessage;
    try {
      m = JSON.parse(text) as DeepgramMessage;
    } catch {
      return;
    }
    if (m.type === 'Results') {
      const transcript = (m.channel?.alternatives?.[0]?.transcript ?? '').trim();
      const isFinal = m.is_final === true;
      const speechFinal = m.speech_final === true;
      if (isFinal) this.#audio.confirmUntil(Math.round(((m.start ?? 0) + (m.duration ?? 0)) * this.#rate));
      this.emit('result', { text: transcript, isFinal, speechFinal });
      if (isFinal && (m.from_finalize === true || speechFinal)) {
        this.#audio.confirmAll();
        this.#finals.resolveAll();
      }
    } else if (m.type === 'SpeechStarted') this.emit('speechStarted');
    else if (m.type === 'UtteranceEnd') this.emit('utteranceEnd');
    else if (m.type === 'Error')
      this.emit(
        'error',
        new ProviderError('stt', 'provider_bad_response', `Deepgram: ${m.description ?? m.message ?? 'error'}`),
      );
  }
}
