import { CallRecorder, type CallRecorderOptions, type RecordingResult } from './call-recorder';

/** The two streams of one RTP session that a recording needs (RtpSession has them). */
export interface RecordableSession {
  on(event: 'audio' | 'sent', listener: (frame: Int16Array) => void): unknown;
  off(event: 'audio' | 'sent', listener: (frame: Int16Array) => void): unknown;
}

/**
 * Records one RTP session where the session lives (in its media worker, or on the main thread
 * with MEDIA_WORKERS=0): the frames it received (left channel) and the frames it actually sent,
 * silence included (right channel), into a stereo CallRecorder. Frames are taken as the session
 * emits them on its own 20 ms clock, so a stall of another thread moves nothing in the file.
 */
export class SessionRecorder {
  readonly path: string;
  readonly #session: RecordableSession;
  readonly #recorder: CallRecorder;
  readonly #inbound = (frame: Int16Array): void => this.#recorder.writeInbound(frame);
  readonly #outbound = (frame: Int16Array): void => this.#recorder.writeOutbound(frame);
  #closing: Promise<RecordingResult> | undefined;

  constructor(session: RecordableSession, options: CallRecorderOptions) {
    this.path = options.path;
    this.#session = session;
    this.#recorder = new CallRecorder({ channels: 2, ...options });
    session.on('audio', this.#inbound);
    session.on('sent', this.#outbound);
  }

  /** Stops taking frames, writes the header and closes the file. Idempotent. */
  close(): Promise<RecordingResult> {
    if (!this.#closing) {
      this.#session.off('audio', this.#inbound);
      this.#session.off('sent', this.#outbound);
      this.#closing = this.#recorder.close();
    }
    return this.#closing;
  }
}
