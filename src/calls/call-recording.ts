import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { SessionRecorder } from '../telephony/recording/session-recorder';
import type { MediaPort, RecorderPort, RecordingSummary } from './call-ports';

export interface CallRecordingOptions {
  /** <RECORDINGS_DIR>/<callId>.wav */
  path: string;
  clock: Clock;
  log: Logger;
}

/**
 * One call's stereo recording (caller left, what was actually sent right), from the moment the
 * media bridge opens. An RTP session in a media worker records itself there (the main thread
 * names the file and learns its duration and size when it is complete: a stall here drops
 * nothing); in-process RTP and the realtime WebSocket are recorded from their frame events on
 * this thread by the same SessionRecorder.
 */
export class CallRecording implements RecorderPort {
  readonly path: string;
  readonly #o: CallRecordingOptions;
  #active: { close(): Promise<RecordingSummary | undefined> } | undefined;
  #closing: Promise<RecordingSummary | undefined> | undefined;

  constructor(o: CallRecordingOptions) {
    this.path = o.path;
    this.#o = o;
  }

  start(media: MediaPort): void {
    if (this.#active || this.#closing) return;
    try {
      this.#active = media.record
        ? media.record(this.path)
        : new SessionRecorder(
            { on: (event, listener) => media.on(event, listener), off: () => undefined },
            { path: this.path, clock: this.#o.clock, log: this.#o.log },
          );
    } catch (err) {
      this.#o.log.error({ path: this.path, err }, 'recording could not start');
    }
  }

  /** Completes the file (idempotent); undefined when recording never started or failed. */
  close(): Promise<RecordingSummary | undefined> {
    this.#closing ??= (async () => {
      try {
        return await this.#active?.close();
      } catch (err) {
        this.#o.log.error({ path: this.path, err }, 'recording failed');
        return undefined;
      }
    })();
    return this.#closing;
  }
}
