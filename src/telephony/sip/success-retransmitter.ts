import type { TimerSet } from '../../shared/timers';

/**
 * UAS core duty for a 2xx to INVITE (RFC 3261 §13.3.1.4): resend it at T1, doubling up to T2,
 * until the ACK (UDP only); give up after 64*T1 without an ACK.
 */
export class SuccessRetransmitter {
  readonly cseq: number;
  #done = false;
  readonly #timers: TimerSet;

  constructor(o: {
    cseq: number;
    timers: TimerSet;
    t1Ms: number;
    t2Ms: number;
    reliable: boolean;
    resend: () => void;
    onGiveUp: () => void;
  }) {
    this.cseq = o.cseq;
    this.#timers = o.timers;
    const schedule = (intervalMs: number): void => {
      o.timers.start('2xx', intervalMs, () => {
        if (this.#done) return;
        o.resend();
        schedule(Math.min(intervalMs * 2, o.t2Ms));
      });
    };
    if (!o.reliable) schedule(o.t1Ms);
    o.timers.start('2xxGiveUp', 64 * o.t1Ms, () => {
      if (this.#done) return;
      this.stop();
      o.onGiveUp();
    });
  }

  get done(): boolean {
    return this.#done;
  }

  stop(): void {
    this.#done = true;
    this.#timers.stop('2xx');
    this.#timers.stop('2xxGiveUp');
  }
}
