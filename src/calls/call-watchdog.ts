import { TimerSet, systemTimers, type Timers } from '../shared/timers';

/**
 * Named deadlines of one call (max duration, ring backstop, media silence) on the injected
 * `Timers`. Each fires at most once; `feed` pushes a deadline back (e.g. on received RTP).
 */
export class CallWatchdog {
  readonly #timers: TimerSet;
  readonly #durationsMs = new Map<string, { ms: number; fire: () => void }>();
  #disposed = false;

  constructor(timers: Timers = systemTimers) {
    this.#timers = new TimerSet(timers);
  }

  arm(name: string, ms: number, fire: () => void): void {
    if (this.#disposed) return;
    this.#durationsMs.set(name, { ms, fire });
    this.#timers.start(name, ms, () => {
      this.#durationsMs.delete(name);
      if (!this.#disposed) fire();
    });
  }

  /** Restarts the deadline's countdown from now. */
  feed(name: string): void {
    const d = this.#durationsMs.get(name);
    if (d) this.arm(name, d.ms, d.fire);
  }

  disarm(name: string): void {
    this.#timers.stop(name);
    this.#durationsMs.delete(name);
  }

  dispose(): void {
    this.#disposed = true;
    this.#timers.clearAll();
    this.#durationsMs.clear();
  }
}
