/**
 * A token bucket per source address (sans-IO: the caller passes the time). Each source may send
 * `burst` requests at once and `ratePerSecond` after that; the table is bounded (`maxSources`,
 * least recently seen forgotten first — a forgotten source starts with a full bucket, which is
 * what it would have after being idle anyway).
 */
export interface SourceRateLimiterOptions {
  ratePerSecond: number;
  burst: number;
  /** Monotonic milliseconds (Clock.monotonicMs). */
  nowMs: () => number;
  maxSources?: number;
}

export interface TakeResult {
  admitted: boolean;
  /** The first refusal since this source was last admitted: log once, not per packet. */
  firstRefusal: boolean;
}

interface Bucket {
  tokens: number;
  atMs: number;
  refusing: boolean;
}

export class SourceRateLimiter {
  readonly #o: Required<SourceRateLimiterOptions>;
  readonly #buckets = new Map<string, Bucket>();

  constructor(o: SourceRateLimiterOptions) {
    this.#o = { maxSources: 10_000, ...o };
  }

  /** How many sources are tracked (bounded by maxSources). */
  get size(): number {
    return this.#buckets.size;
  }

  take(source: string): TakeResult {
    const now = this.#o.nowMs();
    const { burst, ratePerSecond } = this.#o;
    let b = this.#buckets.get(source);
    if (b) {
      this.#buckets.delete(source);
      b.tokens = Math.min(burst, b.tokens + ((now - b.atMs) * ratePerSecond) / 1000);
      b.atMs = now;
    } else {
      b = { tokens: burst, atMs: now, refusing: false };
      if (this.#buckets.size >= this.#o.maxSources) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    }
    this.#buckets.set(source, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.refusing = false;
      return { admitted: true, firstRefusal: false };
    }
    const firstRefusal = !b.refusing;
    b.refusing = true;
    return { admitted: false, firstRefusal };
  }
}
