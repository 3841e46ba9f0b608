export interface BalanceGuardOptions {
  rateCentsPerMinute: number;
  /**
   * Extends the call's balance hold to cover this many minutes (atomically, against the org's
   * balance minus every running call's hold and usage); false when the balance does not pay it.
   */
  reserveMinutes: (minutes: number) => Promise<boolean>;
  /** Called once when the next minute could not be paid: end the call with insufficient_balance. */
  onExhausted: () => void;
  /** How long before a minute boundary the check runs (the call must end before it). */
  marginMs?: number;
  /** Length of a billed minute; only tests shorten it. */
  minuteMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Ends a connected call before the balance would fall below zero. Billing is per started minute;
 * the first minute is reserved at admission (a balance hold), and shortly before each minute
 * boundary the guard reserves the minute about to start. If the balance — less what the org's
 * other running calls hold or have used — does not pay it, the call ends inside the minutes
 * already reserved. A failed check (database error) lets the call go on to the next boundary;
 * the settlement never takes the balance below zero either way.
 */
export class BalanceGuard {
  readonly #opts: BalanceGuardOptions;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(opts: BalanceGuardOptions) {
    this.#opts = opts;
  }

  /** Starts watching a call that was just answered (its first minute is already reserved). */
  start(): void {
    this.#schedule(1, this.#minuteMs() - this.#marginMs());
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  #minuteMs(): number {
    return this.#opts.minuteMs ?? 60_000;
  }

  #marginMs(): number {
    return Math.min(Math.max(0, this.#opts.marginMs ?? 2000), this.#minuteMs() / 2);
  }

  #schedule(minutesPaid: number, delayMs: number): void {
    if (this.#stopped || this.#opts.rateCentsPerMinute <= 0) return;
    this.#timer = setTimeout(() => void this.#check(minutesPaid + 1), delayMs);
  }

  async #check(nextMinute: number): Promise<void> {
    if (this.#stopped) return;
    try {
      const reserved = await this.#opts.reserveMinutes(nextMinute);
      if (this.#stopped) return;
      if (!reserved) {
        this.#stopped = true;
        this.#opts.onExhausted();
        return;
      }
    } catch (err) {
      this.#opts.onError?.(err);
    }
    this.#schedule(nextMinute, this.#minuteMs());
  }
}
