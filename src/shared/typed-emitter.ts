/**
 * The one typed event emitter of the codebase (telephony, voice pipeline and calls all use it).
 * Unlike node:events, an event without listeners never throws (not even 'error'), and a throwing
 * listener cannot break the emitter's owner: the error goes to `onListenerError`.
 */
export type EventMap<E> = { [K in keyof E]: (...args: never[]) => void };

export class TypedEmitter<E extends EventMap<E>> {
  readonly #listeners = new Map<keyof E, Set<E[keyof E]>>();
  /**
   * Per event, the listeners as emit() calls them: a copy made on the first emit after on/off,
   * kept until the next on/off (the media paths emit per 20 ms frame: no array per emit).
   */
  readonly #snapshots = new Map<keyof E, Array<E[keyof E]>>();
  readonly #onListenerError: (err: unknown, event: keyof E) => void;

  constructor(onListenerError: (err: unknown, event: keyof E) => void = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof E>(event: K, listener: E[K]): this {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    this.#snapshots.delete(event);
    return this;
  }

  /** A listener that runs at most once. */
  once<K extends keyof E>(event: K, listener: E[K]): this {
    const wrapper = ((...args: Parameters<E[K]>) => {
      this.off(event, wrapper);
      (listener as (...a: Parameters<E[K]>) => void)(...args);
    }) as E[K];
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, listener: E[K]): this {
    this.#listeners.get(event)?.delete(listener);
    this.#snapshots.delete(event);
    return this;
  }

  listenerCount<K extends keyof E>(event: K): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
    this.#snapshots.clear();
  }

  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    let listeners = this.#snapshots.get(event);
    if (!listeners) {
      const set = this.#listeners.get(event);
      if (!set) return;
      listeners = [...set];
      this.#snapshots.set(event, listeners);
    }
    // A listener that adds or removes listeners changes the next emit, not this one (the copy stays as it is).
    for (const l of listeners) {
      try {
        (l as (...a: Parameters<E[K]>) => void)(...args);
      } catch (err) {
        this.#onListenerError(err, event);
      }
    }
  }
}
