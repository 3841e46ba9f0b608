/**
 * Named deadlines of one call (max duration, ring backstop, media silence). Each fires at most
 * once; `feed` pushes a deadline back (e.g. on every received RTP packet batch).
 */
export class CallWatchdog {
  readonly #timers = new Map<string, { timer: NodeJS.Timeout; ms: number; fire: () => void }>();
  #disposed = false;

  arm(name: string, ms: number, fire: () => void): void {
    if (this.#disposed) return;
    this.disarm(name);
    const timer = setTimeout(() => {
      this.#timers.delete(name);
      if (!this.#disposed) fire();
    }, ms);
    this.#timers.set(name, { timer, ms, fire });
  }

  /** Restarts the deadline's countdown from now. */
  feed(name: string): void {
    const t = this.#timers.get(name);
    if (t) this.arm(name, t.ms, t.fire);
  }

  disarm(name: string): void {
    const t = this.#timers.get(name);
    if (t) clearTimeout(t.timer);
    this.#timers.delete(name);
  }

  isArmed(name: string): boolean {
    return this.#timers.has(name);
  }

  dispose(): void {
    this.#disposed = true;
    for (const t of this.#timers.values()) clearTimeout(t.timer);
    this.#timers.clear();
  }
}
