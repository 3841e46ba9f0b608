import { systemTimers, type Timers } from '../../shared/timers';
import { ProviderError } from '../provider-error';

/**
 * The pending finalize() promises of a stream, each with its timeout. The timeout is a provider
 * deadline in real time (like an HTTP timeout), not conversation time: `timers` is for tests only.
 */
export class FinalizeWaiters {
  readonly #timers: Timers;
  readonly #timeoutMs: number;
  readonly #waiters = new Set<{ resolve: () => void; reject: (err: unknown) => void }>();

  constructor(timeoutMs: number, timers: Timers = systemTimers) {
    this.#timers = timers;
    this.#timeoutMs = timeoutMs;
  }

  get pending(): boolean {
    return this.#waiters.size > 0;
  }

  add(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w = {
        resolve: () => {
          this.#timers.clear(timer);
          this.#waiters.delete(w);
          resolve();
        },
        reject: (err: unknown) => {
          this.#timers.clear(timer);
          this.#waiters.delete(w);
          reject(err);
        },
      };
      const timer = this.#timers.set(this.#timeoutMs, () =>
        w.reject(new ProviderError('stt', 'provider_timeout', 'streaming STT final results timed out')),
      );
      this.#waiters.add(w);
    });
  }

  resolveAll(): void {
    for (const w of [...this.#waiters]) w.resolve();
  }

  rejectAll(err: unknown): void {
    for (const w of [...this.#waiters]) w.reject(err);
  }
}
