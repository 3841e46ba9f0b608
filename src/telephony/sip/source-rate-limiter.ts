/**
 * A token bucket per source address (sans-IO: the caller passes the time). Each source may send
 * `burst` requests at once and `ratePerSecond` after that; the table is bounded (`maxSources`:
 * when full, refilled buckets are forgotten — a forgotten source starts with a full bucket, which
 * is what it would have after being idle anyway; see #sweep).
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
      b.tokens = Math.min(burst, b.tokens + ((now - b.atMs) * ratePerSecond) / 1000);
      b.atMs = now;
    } else {
      if (this.#buckets.size >= this.#o.maxSources) this.#sweep(now);
      b = { tokens: burst, atMs: now, refusing: false };
      this.#buckets.set(source, b);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.refusing = false;
      return { admitted: true, firstRefusal: false };
    }
    const firstRefusal = !b.refusing;
    b.refusing = true;
    return { admitted: false, firstRefusal };
  }

  /**
   * The table is full: forget every source whose bucket has refilled (the same as never seen);
   * if that frees nothing (a scan from more addresses than maxSources), forget all — amortised
   * O(1) per new source, never a per-packet scan.
   */
  #sweep(now: number): void {
    const { burst, ratePerSecond } = this.#o;
    for (const [k, b] of this.#buckets)
      if (b.tokens + ((now - b.atMs) * ratePerSecond) / 1000 >= burst) this.#buckets.delete(k);
    if (this.#buckets.size >= this.#o.maxSources * 0.9) this.#buckets.clear();
  }
}
