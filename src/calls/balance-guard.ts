import { affordableMinutes } from './call-charge';

export interface BalanceGuardOptions {
  rateCentsPerMinute: number;
  /** Current balance of the org (the call itself is billed at the end, so it is not in it yet). */
  readBalanceCents: () => Promise<number>;
  /** Called once when the next minute could not be paid: end the call with insufficient_balance. */
  onExhausted: () => void;
  /** How long before a minute boundary the check runs (the call must end before it). */
  marginMs?: number;
  /** Length of a billed minute; only tests shorten it. */
  minuteMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Ends a connected call before the balance would fall below zero. Billing is per started minute,
 * so shortly before each minute boundary it checks that the balance still pays for the minute
 * about to start; if not, the call ends inside the minute already paid for.
 */
export class BalanceGuard {
  readonly #opts: BalanceGuardOptions;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(opts: BalanceGuardOptions) {
    this.#opts = opts;
  }

  /** Starts watching a call that was just answered (its first minute is already affordable). */
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
      const balance = await this.#opts.readBalanceCents();
      if (this.#stopped) return;
      if (affordableMinutes(balance, this.#opts.rateCentsPerMinute) < nextMinute) {
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
