/**
 * The only place that reads wall-clock time. Everything else receives a Clock so
 * tests can run on a fake one without sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
  /** Current time as an ISO-8601 UTC string with milliseconds. */
  nowIso(): string;
  /** High-resolution monotonic milliseconds, for measuring durations and pacing. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  nowIso: () => new Date().toISOString(),
  monotonicMs: () => performance.now(),
};

/** A manually advanced clock for tests. */
export class FakeClock implements Clock {
  #nowMs: number;
  #monoMs = 0;

  constructor(startIso = '2026-01-01T00:00:00.000Z') {
    this.#nowMs = Date.parse(startIso);
  }

  nowMs(): number {
    return this.#nowMs;
  }

  nowIso(): string {
    return new Date(this.#nowMs).toISOString();
  }

  monotonicMs(): number {
    return this.#monoMs;
  }

  advance(ms: number): void {
    this.#nowMs += ms;
    this.#monoMs += ms;
  }

  set(iso: string): void {
    this.#nowMs = Date.parse(iso);
  }
}

/**
 * A reader of this thread's event-loop utilization (busy share of the time, 0..1) since its
 * previous reading: the main thread's load figure (ops/main-thread-load.ts).
 */
export function eventLoopUtilizationReader(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}
