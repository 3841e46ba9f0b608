const DTMF_DIGIT = /^[0-9*#A-D]$/i;

/** Collects the caller's keypad digits until '#' or the inter-digit timeout hands them to the model. */
export class DtmfCollector {
  #digits = '';
  #lastDigitMs = 0;

  /** True while digits wait to be flushed. */
  get pending(): boolean {
    return this.#digits !== '';
  }

  /** Session ms of the last digit. */
  get lastDigitMs(): number {
    return this.#lastDigitMs;
  }

  /** Adds a digit (others are ignored); returns true when the digits should be flushed now ('#'). */
  push(digit: string, nowMs: number): boolean {
    if (!DTMF_DIGIT.test(digit)) return false;
    this.#digits += digit;
    this.#lastDigitMs = nowMs;
    return digit === '#';
  }

  /** The collected digits (possibly ''), clearing them. */
  take(): string {
    const digits = this.#digits;
    this.#digits = '';
    return digits;
  }
}
