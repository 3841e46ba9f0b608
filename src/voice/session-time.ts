import type { Clock } from '../shared/clock';

/**
 * The session's time: ms since `start()` on the injected monotonic clock. `nowMs` is latched on
 * every 20 ms tick (timers, playback positions); `liveMs()` reads the clock (caller audio and
 * keypad positions, which arrive between ticks).
 */
export class SessionTime {
  readonly clock: Clock;
  #startMono: number | undefined;
  #nowMs = 0;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  get started(): boolean {
    return this.#startMono !== undefined;
  }

  start(): void {
    this.#startMono ??= this.clock.monotonicMs();
    this.#nowMs = 0;
  }

  /** Session ms as of the last tick. */
  get nowMs(): number {
    return this.#nowMs;
  }

  /** Session ms right now (0 before start). */
  liveMs(): number {
    return this.#startMono === undefined ? 0 : this.clock.monotonicMs() - this.#startMono;
  }

  /** One tick: latches `nowMs`. */
  tick(): void {
    this.#nowMs = this.liveMs();
  }
}
