import { FRAME_MS, FRAME_SAMPLES } from '../audio/frame';
import type { TimerHandle, Timers } from '../shared/timers';
import type { AgentSessionPort, MediaPort, RecorderPort, RecordingSummary } from './call-ports';

const FILL_AFTER_MS = 100;

export interface MediaBridgeOptions {
  media: MediaPort;
  /** Monotonic ms (injected clock). */
  nowMs: () => number;
  /** Drives the silence filler. */
  timers: Timers;
  agent: AgentSessionPort;
  /** Started when the bridge opens: records the media where it lives (a media worker writes the file). */
  recorder?: RecorderPort | undefined;
  /** Called for every received frame (media watchdog feed, first-audio metrics). */
  onInboundAudio?: () => void;
  /** Every caller frame in call time (RTP gaps filled with silence): voicemail detection. */
  onCallerFrame?: (frame: Int16Array) => void;
  /** Called for every agent frame handed to RTP (latency metrics). */
  onOutboundAudio?: () => void;
}

/**
 * Joins one call's RTP session and its agent session: caller audio → agent, agent audio → RTP,
 * barge-in → drop queued outgoing audio; the recording (caller left, what RTP actually sent
 * right) runs from open() to close(). Holds no call state of its own.
 */
export class MediaBridge {
  readonly #opts: MediaBridgeOptions;
  #open = false;
  #closed = false;
  #lastInboundMs = 0;
  #filler: TimerHandle | undefined;

  constructor(opts: MediaBridgeOptions) {
    this.#opts = opts;
    const { media, agent } = opts;
    media.on('audio', (frame) => {
      if (!this.#open) return;
      this.#lastInboundMs = Math.max(this.#lastInboundMs, opts.nowMs());
      opts.onInboundAudio?.();
      opts.onCallerFrame?.(frame);
      agent.pushAudio(frame);
    });
    agent.on('audio', (frame) => {
      if (!this.#open) return;
      opts.onOutboundAudio?.();
      media.sendAudio(frame);
    });
    agent.on('interrupt', () => {
      if (this.#open) media.clearOutgoing();
    });
  }

  /**
   * Starts moving audio. Trunks that stop sending RTP during silence (VAD/DTX, or a caller whose
   * stream just ends) would leave the agent waiting for the end of the caller's turn forever, so
   * gaps longer than FILL_AFTER_MS reach the agent as silence frames, as if RTP had kept flowing.
   */
  open(): void {
    if (this.#closed || this.#open) return;
    this.#open = true;
    this.#opts.recorder?.start(this.#opts.media);
    this.#lastInboundMs = this.#opts.nowMs();
    this.#armFiller();
  }

  #armFiller(): void {
    this.#filler = this.#opts.timers.set(FILL_AFTER_MS, () => {
      // Look again once pending I/O has run: after an event-loop stall this timer fires before the
      // RTP that queued up meanwhile is read, and audio that was only late is not a gap (filling it
      // would put a fake pause into the caller's speech: a voicemail greeting would sound human).
      this.#filler = this.#opts.timers.set(0, () => {
        this.#fillSilence();
        if (this.#open) this.#armFiller();
      });
    });
  }

  #fillSilence(): void {
    const gapMs = this.#opts.nowMs() - this.#lastInboundMs;
    if (!this.#open || gapMs < FILL_AFTER_MS) return;
    const frames = Math.floor(gapMs / FRAME_MS);
    for (let i = 0; i < frames; i++) {
      const silence = new Int16Array(FRAME_SAMPLES);
      this.#opts.onCallerFrame?.(silence);
      this.#opts.agent.pushAudio(silence);
    }
    this.#lastInboundMs += frames * FRAME_MS;
  }

  /**
   * Stops moving audio and completes the recording (its figures, undefined when none was made);
   * the RTP session is closed by its leg's owner.
   */
  async close(): Promise<RecordingSummary | undefined> {
    if (this.#closed) return undefined;
    this.#closed = true;
    this.#open = false;
    if (this.#filler !== undefined) this.#opts.timers.clear(this.#filler);
    return this.#opts.recorder?.close();
  }
}
