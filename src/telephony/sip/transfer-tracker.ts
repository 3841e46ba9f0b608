import { parseSipfragStatus } from './dtmf-info';

export interface TransferResult {
  ok: boolean;
  /** Status of the REFER's final response, or of the last NOTIFY sipfrag. */
  sipStatus?: number;
}

/**
 * Follows one blind transfer (RFC 3515): the REFER's final response, then the NOTIFY message/sipfrag
 * reports until a final status or `Subscription-State: terminated`.
 */
export class TransferTracker {
  #resolve: ((r: TransferResult) => void) | undefined;

  get active(): boolean {
    return this.#resolve !== undefined;
  }

  begin(): Promise<TransferResult> {
    return new Promise((resolve) => (this.#resolve = resolve));
  }

  onReferResponse(status: number): void {
    if (status >= 300) this.finish({ ok: false, sipStatus: status });
  }

  onNotify(body: string, subscriptionState: string): void {
    if (!this.active) return;
    const status = parseSipfragStatus(body);
    if (status !== null && status >= 200) this.finish({ ok: status < 300, sipStatus: status });
    else if (/^\s*terminated/i.test(subscriptionState))
      this.finish(status === null ? { ok: false } : { ok: false, sipStatus: status });
  }

  finish(r: TransferResult): void {
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.(r);
  }
}
