import type { TimerSet } from '../../shared/timers';
import { ALLOWED_METHODS } from './allowed-methods';
import { cseqNumber } from './invite-requests';
import type { SipRequest } from './message';
import { SuccessRetransmitter } from './success-retransmitter';
import type { ServerTransaction } from './transaction/server-transaction';
import { responseDestination } from './transport/transport-layer';
import type { RemoteAddress, SipTransportKind } from './transport/sip-transport';
import type { UserAgentServices } from './user-agent-services';

/**
 * Our 200 OK to an INVITE or re-INVITE (with our SDP), retransmitted until its ACK arrives
 * (RFC 3261 §13.3.1.4); without an ACK after 64*T1 `onGiveUp` runs (the session sends BYE).
 */
export class InviteSuccessSender {
  readonly #core: UserAgentServices;
  readonly #timers: TimerSet;
  readonly #localTag: string;
  readonly #transport: SipTransportKind;
  readonly #onGiveUp: () => void;
  #pending: SuccessRetransmitter | undefined;

  constructor(o: {
    core: UserAgentServices;
    timers: TimerSet;
    localTag: string;
    transport: SipTransportKind;
    onGiveUp: () => void;
  }) {
    this.#core = o.core;
    this.#timers = o.timers;
    this.#localTag = o.localTag;
    this.#transport = o.transport;
    this.#onGiveUp = o.onGiveUp;
  }

  /** Answers `req` on `tx`; retransmissions go where responses to `req` go, seen from `peer`. */
  send(tx: ServerTransaction, req: SipRequest, body: Buffer, peer: RemoteAddress): void {
    const core = this.#core;
    const res = core.buildResponse(req, 200, {
      toTag: this.#localTag,
      body,
      headers: [
        ['Contact', core.contact(this.#transport)],
        ['Allow', ALLOWED_METHODS],
        ['Content-Type', 'application/sdp'],
      ],
    });
    tx.respond(res);
    const dest = responseDestination(req, peer);
    this.#pending?.stop();
    this.#pending = new SuccessRetransmitter({
      cseq: cseqNumber(req),
      timers: this.#timers,
      t1Ms: core.sipTimers.t1Ms,
      t2Ms: core.sipTimers.t2Ms,
      reliable: this.#transport === 'tcp',
      resend: () => core.sendStateless(res, dest),
      onGiveUp: this.#onGiveUp,
    });
  }

  /** True when `ack` acknowledges the pending 2xx (which then stops). */
  acknowledge(ack: SipRequest): boolean {
    const pending = this.#pending;
    if (!pending || pending.done || cseqNumber(ack) !== pending.cseq) return false;
    pending.stop();
    return true;
  }

  stop(): void {
    this.#pending?.stop();
  }
}
