/**
 * Frame pacing against a monotonic clock (sans-IO). Frame k is due at start + k·frameMs; poll()
 * says how many frames are due now, so a late timer never accumulates drift: the next wait is
 * computed from the schedule, not from when the timer fired. After a long stall (event loop
 * blocked) at most `maxBurstFrames` are sent at once and the rest are skipped (their RTP
 * timestamps still advance, so the stream stays locked to real time).
 */
import { FRAME_MS } from '../../audio/frame';

export interface PacerPoll {
  /** Frames to send now. */
  send: number;
  /** Frame slots given up after a stall (advance the timestamp, send nothing). */
  skipped: number;
  /** Monotonic time at which the next frame is due. */
  nextDueMs: number;
}

export interface PacerOptions {
  frameMs?: number;
  maxBurstFrames?: number;
  /** A frame counts as due this much before its time (timers fire on whole milliseconds). */
  earlyToleranceMs?: number;
}

export class Pacer {
  readonly frameMs: number;
  readonly #maxBurst: number;
  readonly #early: number;
  #startMs = 0;
  /** Frame slots consumed (sent or skipped) since start. */
  #slots = 0;
  #running = false;

  constructor(options: PacerOptions = {}) {
    this.frameMs = options.frameMs ?? FRAME_MS;
    this.#maxBurst = options.maxBurstFrames ?? 3;
    this.#early = options.earlyToleranceMs ?? 0.5;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts the schedule: the first frame is due at nowMs. */
  start(nowMs: number): void {
    this.#startMs = nowMs;
    this.#slots = 0;
    this.#running = true;
  }

  stop(): void {
    this.#running = false;
  }

  dueMs(slot: number): number {
    return this.#startMs + slot * this.frameMs;
  }

  poll(nowMs: number): PacerPoll {
    if (!this.#running) return { send: 0, skipped: 0, nextDueMs: Number.POSITIVE_INFINITY };
    const dueSlots = Math.floor((nowMs + this.#early - this.#startMs) / this.frameMs) + 1;
    let due = Math.max(0, dueSlots - this.#slots);
    let skipped = 0;
    if (due > this.#maxBurst) {
      skipped = due - this.#maxBurst;
      due = this.#maxBurst;
    }
    this.#slots += due + skipped;
    return { send: due, skipped, nextDueMs: this.dueMs(this.#slots) };
  }
}
