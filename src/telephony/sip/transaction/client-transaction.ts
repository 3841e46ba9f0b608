import type { SipRequest, SipResponse } from '../message';
import { SipHeaders } from '../headers';
import { TimerSet, type Timers } from '../../../shared/timers';
import type { SipTimerConfig } from './sip-timers';

export type ClientTxState = 'calling' | 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface ClientTransactionOptions {
  request: SipRequest;
  reliable: boolean;
  sipTimers: SipTimerConfig;
  timers: Timers;
  send: (msg: SipRequest) => void;
  onResponse: (res: SipResponse) => void;
  /** Timer B / F fired without a final response. */
  onTimeout: () => void;
  onTerminated: () => void;
}

/**
 * RFC 3261 §17.1 client transaction, INVITE (timers A, B, D) and non-INVITE (E, F, K),
 * sans-IO: `send` and `host` are injected, `receive` is fed by the transaction layer.
 */
export class ClientTransaction {
  readonly request: SipRequest;
  readonly isInvite: boolean;
  #state: ClientTxState;
  readonly #o: ClientTransactionOptions;
  readonly #timers: TimerSet;
  #ack: SipRequest | undefined;
  /** Number of times the request went on the wire (initial send included). */
  sendCount = 0;

  constructor(o: ClientTransactionOptions) {
    this.#o = o;
    this.request = o.request;
    this.isInvite = o.request.method === 'INVITE';
    this.#state = this.isInvite ? 'calling' : 'trying';
    this.#timers = new TimerSet(o.timers);
  }

  get state(): ClientTxState {
    return this.#state;
  }

  start(): void {
    this.#transmit();
    const { t1Ms, t2Ms } = this.#o.sipTimers;
    if (!this.#o.reliable) this.#scheduleRetransmit(t1Ms, this.isInvite ? 'A' : 'E', t2Ms);
    this.#timers.start(this.isInvite ? 'B' : 'F', 64 * t1Ms, () => {
      // Timer B only matters while Calling (a provisional response stops it); Timer F in Trying/Proceeding.
      if (this.#state === 'calling' || (!this.isInvite && (this.#state === 'trying' || this.#state === 'proceeding'))) {
        this.#terminate();
        this.#o.onTimeout();
      }
    });
  }

  #scheduleRetransmit(intervalMs: number, name: 'A' | 'E', capMs: number): void {
    this.#timers.start(name, intervalMs, () => {
      const active =
        name === 'A' ? this.#state === 'calling' : this.#state === 'trying' || this.#state === 'proceeding';
      if (!active) return;
      this.#transmit();
      // Timer A doubles without cap; Timer E doubles up to T2, and is T2 in Proceeding.
      const next =
        name === 'A' ? intervalMs * 2 : this.#state === 'proceeding' ? capMs : Math.min(intervalMs * 2, capMs);
      this.#scheduleRetransmit(next, name, capMs);
    });
  }

  #transmit(): void {
    this.sendCount++;
    this.#o.send(this.request);
  }

  receive(res: SipResponse): void {
    if (this.#state === 'terminated') return;
    if (res.status < 200) {
      if (this.#state === 'calling' || this.#state === 'trying') {
        this.#state = 'proceeding';
        if (this.isInvite) this.#timers.stop('A');
      }
      if (this.#state === 'proceeding') this.#o.onResponse(res);
      return;
    }
    if (this.#state === 'completed') {
      if (this.isInvite && this.#ack) this.#o.send(this.#ack); // retransmitted final → ACK again
      return;
    }
    this.#timers.stop('A');
    this.#timers.stop('E');
    this.#timers.stop('B');
    this.#timers.stop('F');
    if (this.isInvite && res.status < 300) {
      // 2xx: the TU (dialog) sends the ACK; the transaction ends.
      this.#terminate();
      this.#o.onResponse(res);
      return;
    }
    this.#state = 'completed';
    if (this.isInvite) {
      this.#ack = buildNonSuccessAck(this.request, res);
      this.#o.send(this.#ack);
    }
    this.#o.onResponse(res);
    const waitMs = this.#o.reliable ? 0 : this.isInvite ? 32_000 : this.#o.sipTimers.t4Ms;
    this.#timers.start(this.isInvite ? 'D' : 'K', waitMs, () => this.#terminate());
  }

  /** A transport failure ends the transaction like a timeout (RFC 3261 §17.1.4). */
  transportError(): void {
    if (this.#state === 'terminated' || this.#state === 'completed') return;
    this.#terminate();
    this.#o.onTimeout();
  }

  /** Ends the transaction silently (UA shutdown). */
  dispose(): void {
    this.#terminate();
  }

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clearAll();
    this.#o.onTerminated();
  }
}

/** ACK for a non-2xx final response (RFC 3261 §17.1.1.3): same branch, To from the response. */
export function buildNonSuccessAck(invite: SipRequest, res: SipResponse): SipRequest {
  const h = new SipHeaders();
  const via = invite.headers.get('Via');
  if (via !== undefined) h.append('Via', via);
  for (const r of invite.headers.getAll('Route')) h.append('Route', r);
  h.append('Max-Forwards', '70');
  h.append('From', invite.headers.get('From') ?? '');
  h.append('To', res.headers.get('To') ?? '');
  h.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  h.append('CSeq', `${(invite.headers.get('CSeq') ?? '1').split(/\s+/)[0]} ACK`);
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers: h, body: Buffer.alloc(0) };
}
