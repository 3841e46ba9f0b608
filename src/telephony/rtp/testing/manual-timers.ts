import type { FakeClock } from '../../../shared/clock';
import type { TimerHandle, Timers } from '../../../shared/timers';

/**
 * Test timers driven by a FakeClock: advance(ms) moves the clock in small steps and runs every
 * timer that became due, in order. `lateMs` makes each timer fire that much late (drift tests).
 */
export class ManualTimers implements Timers {
  readonly #clock: FakeClock;
  #timers: Array<{ id: number; at: number; fn: () => void }> = [];
  #nextId = 1;
  lateMs: (() => number) | number = 0;

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  set(ms: number, fn: () => void): TimerHandle {
    const late = typeof this.lateMs === 'function' ? this.lateMs() : this.lateMs;
    const id = this.#nextId++;
    this.#timers.push({ id, at: this.#clock.monotonicMs() + Math.max(0, ms) + late, fn });
    return id;
  }

  clear(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  get pending(): number {
    return this.#timers.length;
  }

  /** Advances the clock by ms, firing due timers at their exact times. */
  advance(ms: number): void {
    const end = this.#clock.monotonicMs() + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      const step = due.at - this.#clock.monotonicMs();
      if (step > 0) this.#clock.advance(step);
      due.fn();
    }
    const rest = end - this.#clock.monotonicMs();
    if (rest > 0) this.#clock.advance(rest);
  }
}
