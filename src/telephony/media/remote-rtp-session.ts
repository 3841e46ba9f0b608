import { SAMPLES_PER_MS } from '../../audio/frame';
import { AppError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/error-catalogue';
import { silentLogger, type Logger } from '../../shared/log';
import { TypedEmitter } from '../../shared/typed-emitter';
import { digitToEvent } from '../rtp/dtmf-rfc4733';
import type { RtpSessionEvents, RtpStats } from '../rtp/rtp-session';
import type { NegotiatedMedia } from '../sdp/sdp-types';
import type { RecordingResult } from '../recording/call-recorder';
import type { MediaRecording, MediaSession } from './media-session';
import type { MediaCommand, MediaReport } from './media-worker-protocol';

const NO_STATS: RtpStats = {
  packetsSent: 0,
  packetsReceived: 0,
  packetsLost: 0,
  jitterMs: 0,
  latePackets: 0,
  invalidPackets: 0,
};

/** What a RemoteRtpSession needs from its worker. */
export interface MediaWorkerLink {
  send(command: MediaCommand): void;
  /** The session closed: the worker forgets it and the pool releases its port. */
  release(id: number, port: number): void;
}

/**
 * The main thread's handle on an RtpSession living in a media worker: the same surface as
 * RtpSession (MediaSession), commands posted to the worker, events replayed from its batches.
 * Frames passed to 'audio' / 'sent' listeners are views into the batch buffer: read-only.
 */
export class RemoteRtpSession implements MediaSession {
  readonly localPort: number;
  readonly id: number;
  readonly #link: MediaWorkerLink;
  readonly #events: TypedEmitter<RtpSessionEvents>;
  #media: NegotiatedMedia | undefined;
  #remote: { address: string; port: number } | undefined;
  #stats: RtpStats = NO_STATS;
  #queuedSamples = 0;
  #nextDtmf = 1;
  readonly #dtmf = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  #log: Logger;
  /** The worker's recording of this session, until it reports the file complete. */
  #recording:
    { done: Promise<RecordingResult | undefined>; resolve: (r: RecordingResult | undefined) => void } | undefined;

  constructor(id: number, localPort: number, link: MediaWorkerLink, log: Logger = silentLogger) {
    this.id = id;
    this.localPort = localPort;
    this.#link = link;
    const l = log.child({ rtpPort: localPort });
    this.#log = l;
    this.#events = new TypedEmitter<RtpSessionEvents>((err, event) => l.error({ event, err }, 'rtp listener failed'));
  }

  on<K extends keyof RtpSessionEvents>(event: K, listener: RtpSessionEvents[K]): this {
    const before = this.#events.listenerCount('sent');
    this.#events.on(event, listener);
    // The worker posts what it sent only while someone here listens (the recorder runs in the worker).
    if (event === 'sent' && before === 0 && !this.#closed)
      this.#link.send({ op: 'forwardSent', id: this.id, on: true });
    return this;
  }

  off<K extends keyof RtpSessionEvents>(event: K, listener: RtpSessionEvents[K]): this {
    const before = this.#events.listenerCount('sent');
    this.#events.off(event, listener);
    if (event === 'sent' && before > 0 && this.#events.listenerCount('sent') === 0 && !this.#closed)
      this.#link.send({ op: 'forwardSent', id: this.id, on: false });
    return this;
  }

  get media(): NegotiatedMedia | undefined {
    return this.#media;
  }

  get remote(): { address: string; port: number } | undefined {
    return this.#remote;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  get stats(): RtpStats {
    return { ...this.#stats };
  }

  /** Queued agent audio, as far as the main thread knows (sent frames are counted back). */
  get outgoingQueuedMs(): number {
    return this.#queuedSamples / SAMPLES_PER_MS;
  }

  setRemote(media: NegotiatedMedia): void {
    if (this.#closed) return;
    const moved =
      !this.#media || this.#media.remoteAddress !== media.remoteAddress || this.#media.remotePort !== media.remotePort;
    this.#media = media;
    if (moved)
      this.#remote = media.remotePort > 0 ? { address: media.remoteAddress, port: media.remotePort } : undefined;
    this.#link.send({ op: 'remote', id: this.id, media });
  }

  start(): void {
    this.#command('start');
  }

  sendAudio(pcm8k: Int16Array): void {
    if (this.#closed || pcm8k.length === 0) return;
    this.#queuedSamples += pcm8k.length;
    this.#link.send({ op: 'audio', id: this.id, pcm: pcm8k.slice() });
  }

  clearOutgoing(): void {
    this.#queuedSamples = 0;
    this.#command('clear');
  }

  async sendDtmf(digits: string): Promise<void> {
    if (this.#closed) throw new AppError('rtp_session_closed', 'the RTP session is closed');
    if (digits.length === 0 || [...digits].some((d) => digitToEvent(d) === undefined)) {
      throw new AppError('invalid_dtmf', 'digits must be 0-9, *, #, A-D', {
        fields: { digits: ['Only 0-9, *, #, A-D are allowed.'] },
      });
    }
    if (this.#media && this.#media.telephoneEventPayloadType === undefined) {
      throw new AppError('dtmf_not_negotiated', 'the far end did not accept telephone-event');
    }
    const req = this.#nextDtmf++;
    await new Promise<void>((resolve, reject) => {
      this.#dtmf.set(req, { resolve, reject });
      this.#link.send({ op: 'dtmf', id: this.id, req, digits });
    });
  }

  pause(): void {
    this.#command('pause');
  }

  resume(): void {
    this.#command('resume');
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
      this.#queuedSamples = 0;
      this.#link.send({ op: 'close', id: this.id });
    });
    return this.#closed;
  }

  /**
   * The worker records this session into `path` (one recording at a time): the frames it
   * received and the ones it sent, on its own clock. close() (or closing the session) finishes
   * the file and resolves with its duration and size.
   */
  record(path: string): MediaRecording {
    if (this.#recording || this.#closed) return { close: async () => this.#recording?.done };
    let resolve!: (r: RecordingResult | undefined) => void;
    const done = new Promise<RecordingResult | undefined>((r) => (resolve = r));
    const recording = { done, resolve };
    this.#recording = recording;
    this.#link.send({ op: 'record', id: this.id, path });
    let stopped = false;
    return {
      close: () => {
        if (!stopped && !this.#closed) this.#link.send({ op: 'stopRecording', id: this.id });
        stopped = true;
        return recording.done;
      },
    };
  }

  /** The worker went away: the session is closed without a reply. */
  abandon(): void {
    void this.close();
    this.#finish();
  }

  // ---- from the worker ----

  frameAudio(frame: Int16Array): void {
    if (!this.#closed) this.#events.emit('audio', frame);
  }

  frameSent(frame: Int16Array): void {
    this.#queuedSamples = Math.max(0, this.#queuedSamples - frame.length);
    if (!this.#closed) this.#events.emit('sent', frame);
  }

  report(r: MediaReport): void {
    switch (r.op) {
      case 'dtmf':
        if (!this.#closed) this.#events.emit('dtmf', r.event);
        return;
      case 'mediaTimeout':
        if (!this.#closed) this.#events.emit('mediaTimeout');
        return;
      case 'latched':
        this.#remote = r.remote;
        if (!this.#closed) this.#events.emit('latched', r.remote);
        return;
      case 'stats':
        this.#stats = r.stats;
        return;
      case 'dtmfDone': {
        const p = this.#dtmf.get(r.req);
        this.#dtmf.delete(r.req);
        if (r.error) p?.reject(new AppError(r.error.code as ErrorCode, r.error.message));
        else p?.resolve();
        return;
      }
      case 'recorded': {
        if (r.error) this.#log.error({ err: r.error }, 'recording failed');
        const recording = this.#recording;
        this.#recording = undefined;
        recording?.resolve(r.result);
        return;
      }
      case 'closed':
        this.#stats = r.stats;
        this.#finish();
        return;
      default:
        return;
    }
  }

  #finish(): void {
    for (const p of this.#dtmf.values())
      p.reject(new AppError('rtp_session_closed', 'the RTP session closed before the digits were sent'));
    this.#dtmf.clear();
    // A recording the worker could not report (it exited) is lost: nothing to upload.
    this.#recording?.resolve(undefined);
    this.#recording = undefined;
    this.#events.removeAllListeners();
    this.#link.release(this.id, this.localPort);
    this.#resolveClosed?.();
    this.#resolveClosed = undefined;
  }

  #command(op: 'start' | 'pause' | 'resume' | 'clear'): void {
    if (!this.#closed) this.#link.send({ op, id: this.id });
  }
}
