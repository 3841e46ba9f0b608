import { SipHeaders } from '../headers';
import type { SipRequest, SipResponse } from '../message';
import { TimerSet, type Timers } from '../../../shared/timers';
import type { SipTimerConfig } from './sip-timers';

export type ServerTxState = 'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

export interface ServerTransactionOptions {
  /** Only its method is kept: the transaction outlives the request by up to 64·T1. */
  request: Pick<SipRequest, 'method'>;
  reliable: boolean;
  sipTimers: SipTimerConfig;
  timers: Timers;
  send: (res: SipResponse) => void;
  /** Timer H fired: no ACK for our non-2xx final response. */
  onTimeout: () => void;
  onTerminated: () => void;
}

/**
 * RFC 3261 §17.2 server transaction, INVITE (timers G, H, I; RFC 6026 "accepted" after 2xx)
 * and non-INVITE (J). Absorbs request retransmissions by resending the last response. Keeps only
 * what retransmission needs (the method and a detached copy of the last response), never the
 * request: a 60 KB datagram is not held for 32 s.
 */
export class ServerTransaction {
  readonly method: string;
  readonly isInvite: boolean;
  #state: ServerTxState;
  #last: SipResponse | undefined;
  readonly #o: ServerTransactionOptions;
  readonly #timers: TimerSet;
  /** Responses put on the wire, retransmissions included. */
  sendCount = 0;

  constructor(o: ServerTransactionOptions) {
    this.#o = o;
    this.method = o.request.method;
    this.isInvite = o.request.method === 'INVITE';
    this.#state = this.isInvite ? 'proceeding' : 'trying';
    this.#timers = new TimerSet(o.timers);
  }

  get state(): ServerTxState {
    return this.#state;
  }

  get lastResponse(): SipResponse | undefined {
    return this.#last;
  }

  respond(res: SipResponse): void {
    if (
      this.#state === 'terminated' ||
      this.#state === 'completed' ||
      this.#state === 'confirmed' ||
      this.#state === 'accepted'
    )
      return;
    this.#last = res.status < 200 || !this.#retransmits(res) ? res : detached(res);
    this.#transmit(res);
    const { t1Ms, t2Ms } = this.#o.sipTimers;
    if (res.status < 200) {
      if (this.#state === 'trying') this.#state = 'proceeding';
      return;
    }
    if (this.isInvite && res.status < 300) {
      // RFC 6026: stay to absorb INVITE retransmissions; the UA core retransmits the 2xx itself.
      this.#state = 'accepted';
      this.#timers.start('L', 64 * t1Ms, () => this.#terminate());
      return;
    }
    this.#state = 'completed';
    if (this.isInvite) {
      if (!this.#o.reliable) this.#scheduleG(t1Ms, t2Ms);
      this.#timers.start('H', 64 * t1Ms, () => {
        if (this.#state !== 'completed') return;
        this.#terminate();
        this.#o.onTimeout();
      });
    } else {
      this.#timers.start('J', this.#o.reliable ? 0 : 64 * t1Ms, () => this.#terminate());
    }
  }

  /** Whether a final response stays for request retransmissions (not a 2xx to INVITE, not on TCP for non-INVITE). */
  #retransmits(res: SipResponse): boolean {
    return !(this.isInvite && res.status < 300) && (this.isInvite || !this.#o.reliable);
  }

  #scheduleG(intervalMs: number, capMs: number): void {
    this.#timers.start('G', intervalMs, () => {
      if (this.#state !== 'completed' || !this.#last) return;
      this.#transmit(this.#last);
      this.#scheduleG(Math.min(intervalMs * 2, capMs), capMs);
    });
  }

  #transmit(res: SipResponse): void {
    this.sendCount++;
    this.#o.send(res);
  }

  /** A retransmitted request, or the ACK of a non-2xx final response. Returns true when absorbed. */
  receiveRequest(req: SipRequest): boolean {
    if (req.method === 'ACK') {
      if (this.#state !== 'completed') return this.#state === 'confirmed';
      this.#state = 'confirmed';
      this.#timers.stop('G');
      this.#timers.stop('H');
      this.#timers.start('I', this.#o.reliable ? 0 : this.#o.sipTimers.t4Ms, () => this.#terminate());
      return true;
    }
    if ((this.#state === 'proceeding' || this.#state === 'completed') && this.#last) this.#transmit(this.#last);
    return true;
  }

  transportError(): void {
    this.#terminate();
  }

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

/** A copy sharing no string or buffer with the request it answers (V8 substrings keep their parent alive). */
function detached(res: SipResponse): SipResponse {
  const flat = (v: string): string => Buffer.from(v, 'utf8').toString('utf8');
  return {
    kind: 'response',
    status: res.status,
    reason: flat(res.reason),
    headers: SipHeaders.from(res.headers.entries().map(([n, v]) => [n, flat(v)])),
    body: Buffer.from(res.body),
  };
}
