import { ALLOWED_METHODS } from '../sip/allowed-methods';
import type { SipRequest } from '../sip/message';
import type { ServerTransaction } from '../sip/transaction/server-transaction';
import type { LegHost } from './leg-host';
import { cseqNumber } from './outbound-requests';
import { SuccessRetransmitter } from './success-retransmitter';

/**
 * Our 200 OK to an INVITE or re-INVITE (with our SDP), retransmitted until its ACK arrives; without
 * an ACK after 64*T1 the leg sends BYE and ends.
 */
export class InviteSuccessSender {
  readonly #host: LegHost;
  #pending: SuccessRetransmitter | undefined;

  constructor(host: LegHost) {
    this.#host = host;
  }

  send(tx: ServerTransaction, req: SipRequest, body: Buffer): void {
    const h = this.#host;
    const res = h.ua.buildResponse(req, 200, {
      toTag: h.localTag,
      body,
      headers: [
        ['Contact', h.ua.contact(h.transport)],
        ['Allow', ALLOWED_METHODS],
        ['Content-Type', 'application/sdp'],
      ],
    });
    tx.respond(res);
    const dest = h.ua.responseDestination(req, h.dest());
    this.#pending?.stop();
    this.#pending = new SuccessRetransmitter({
      cseq: cseqNumber(req),
      timers: h.timers,
      t1Ms: h.ua.timers.t1Ms,
      t2Ms: h.ua.timers.t2Ms,
      reliable: h.transport === 'tcp',
      resend: () => h.ua.sendRaw(res, dest),
      onGiveUp: () => {
        void h.sendBye();
        h.end('provider_error', { byRemote: false, detail: 'no ACK for our 200 OK' });
      },
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
