/**
 * The session's pending provider work (STT, LLM, prewarm): tracked promises, and a wait for the
 * moment nothing is pending and the output pipeline is quiet (tests and benchmarks).
 */
export class InflightWork {
  readonly #pending = new Set<Promise<unknown>>();

  get busy(): boolean {
    return this.#pending.size > 0;
  }

  /** Tracks `p` until it settles; returns it unchanged. */
  track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    const done = (): void => void this.#pending.delete(p);
    p.then(done, done);
    return p;
  }

  /** Resolves after two quiet turns of the event loop with no tracked work and an idle pipeline. */
  async whenIdle(pipeline: { readonly busy: boolean; idle(): Promise<void> }): Promise<void> {
    for (let quiet = 0; quiet < 2;) {
      await new Promise((r) => setImmediate(r));
      if (this.#pending.size > 0) {
        quiet = 0;
        await Promise.race([...this.#pending].map((p) => p.catch(() => undefined)));
      } else if (pipeline.busy) {
        quiet = 0;
        await pipeline.idle();
      } else quiet += 1;
    }
  }
}
