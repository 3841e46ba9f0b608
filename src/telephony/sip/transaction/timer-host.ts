/** Injected timer adapter: sans-IO cores never call setTimeout themselves. */
export interface TimerHost {
  set(delayMs: number, fn: () => void): unknown;
  clear(handle: unknown): void;
}

/** RFC 3261 base timers, per user agent (never global). */
export interface SipTimerConfig {
  t1Ms: number;
  t2Ms: number;
  t4Ms: number;
}

export const DEFAULT_SIP_TIMERS: SipTimerConfig = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };

export const realTimers: TimerHost = {
  set: (delayMs, fn) => setTimeout(fn, delayMs),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Manually advanced timers for unit tests. */
export class FakeTimers implements TimerHost {
  #nowMs = 0;
  #seq = 0;
  readonly #pending = new Map<number, { atMs: number; fn: () => void }>();

  get nowMs(): number {
    return this.#nowMs;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  set(delayMs: number, fn: () => void): unknown {
    const id = ++this.#seq;
    this.#pending.set(id, { atMs: this.#nowMs + delayMs, fn });
    return id;
  }

  clear(handle: unknown): void {
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

/** A named set of timers owned by one state machine; clearAll() on termination. */
export class TimerSet {
  readonly #host: TimerHost;
  readonly #handles = new Map<string, unknown>();

  constructor(host: TimerHost) {
    this.#host = host;
  }

  start(name: string, delayMs: number, fn: () => void): void {
    this.stop(name);
    this.#handles.set(
      name,
      this.#host.set(delayMs, () => {
        this.#handles.delete(name);
        fn();
      }),
    );
  }

  stop(name: string): void {
    const h = this.#handles.get(name);
    if (h !== undefined) this.#host.clear(h);
    this.#handles.delete(name);
  }

  clearAll(): void {
    for (const name of [...this.#handles.keys()]) this.stop(name);
  }
}
