/** A minimal typed event emitter: listener errors are reported to onError, never thrown into the emitter. */
export class TypedEvents<E extends { [K in keyof E]: (...args: never[]) => void }> {
  readonly #listeners = new Map<keyof E, Array<E[keyof E]>>();
  readonly #onError: (err: unknown, event: keyof E) => void;

  constructor(onError: (err: unknown, event: keyof E) => void) {
    this.#onError = onError;
  }

  on<K extends keyof E>(event: K, listener: E[K]): void {
    const list = this.#listeners.get(event) ?? [];
    list.push(listener);
    this.#listeners.set(event, list);
  }

  off<K extends keyof E>(event: K, listener: E[K]): void {
    const list = this.#listeners.get(event);
    if (list)
      this.#listeners.set(
        event,
        list.filter((l) => l !== listener),
      );
  }

  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    for (const l of list) {
      try {
        (l as (...a: Parameters<E[K]>) => void)(...args);
      } catch (err) {
        this.#onError(err, event);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
