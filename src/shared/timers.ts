/**
 * The one timer abstraction: sans-IO cores (SIP transactions, RTP pacing, the voice pipeline's
 * ticks, call watchdogs) never call setTimeout themselves; they get a `Timers` and tests pass
 * `FakeTimers` to run hours of protocol time without sleeping.
 */
export type TimerHandle = unknown;

export interface Timers {
  /** Runs `fn` once after `delayMs`. */
  set(delayMs: number, fn: () => void): TimerHandle;
  clear(handle: TimerHandle): void;
}

/** Real timers. */
export const systemTimers: Timers = {
  set: (delayMs, fn) => setTimeout(fn, delayMs),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Manually advanced timers for tests. */
export class FakeTimers implements Timers {
  #nowMs = 0;
  #seq = 0;
  readonly #pending = new Map<number, { atMs: number; fn: () => void }>();

  get nowMs(): number {
    return this.#nowMs;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  set(delayMs: number, fn: () => void): TimerHandle {
    const id = ++this.#seq;
    this.#pending.set(id, { atMs: this.#nowMs + Math.max(0, delayMs), fn });
    return id;
  }

  clear(handle: TimerHandle): void {
    this.#pending.delete(handle as number);
  }

  /** Fires every due timer in time order, including timers scheduled while advancing. */
  advance(ms: number): void {
    const target = this.#nowMs + ms;
    for (;;) {
      let next: [number, { atMs: number; fn: () => void }] | undefined;
      for (const e of this.#pending) if (e[1].atMs <= target && (!next || e[1].atMs < next[1].atMs)) next = e;
      if (!next) break;
      this.#pending.delete(next[0]);
      this.#nowMs = next[1].atMs;
      next[1].fn();
    }
    this.#nowMs = target;
  }
}

/** A named set of timers owned by one state machine; `clearAll()` on termination. */
export class TimerSet {
  readonly #timers: Timers;
  readonly #handles = new Map<string, TimerHandle>();

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  start(name: string, delayMs: number, fn: () => void): void {
    this.stop(name);
    this.#handles.set(
      name,
      this.#timers.set(delayMs, () => {
        this.#handles.delete(name);
        fn();
      }),
    );
  }

  has(name: string): boolean {
    return this.#handles.has(name);
  }

  stop(name: string): void {
    const h = this.#handles.get(name);
    if (h !== undefined) this.#timers.clear(h);
    this.#handles.delete(name);
  }

  clearAll(): void {
    for (const name of [...this.#handles.keys()]) this.stop(name);
  }
}
