/**
 * Detects the end of incoming media (sans-IO): poll() reports true once when no packet has
 * arrived for timeoutMs while armed; a new packet re-arms it. suspend() stops detection
 * (hold, where the peer may legitimately stop sending); resume() restarts the countdown.
 */
export class MediaTimeoutWatch {
  readonly timeoutMs: number;
  #lastMs = 0;
  #armed = false;
  #fired = false;

  constructor(timeoutMs: number) {
    if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    this.timeoutMs = timeoutMs;
  }

  start(nowMs: number): void {
    this.#lastMs = nowMs;
    this.#armed = true;
    this.#fired = false;
  }

  packet(nowMs: number): void {
    this.#lastMs = nowMs;
    this.#fired = false;
  }

  suspend(): void {
    this.#armed = false;
  }

  resume(nowMs: number): void {
    this.start(nowMs);
  }

  /** True exactly once per silence longer than timeoutMs. */
  poll(nowMs: number): boolean {
    if (!this.#armed || this.#fired) return false;
    if (nowMs - this.#lastMs < this.timeoutMs) return false;
    this.#fired = true;
    return true;
  }
}
