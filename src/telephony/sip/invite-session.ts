import { TimerSet } from '../../shared/timers';
import { TypedEmitter } from '../../shared/typed-emitter';
import type { Dialog, DialogState } from './dialog';
import type { DialogUsage } from './dialog-registry';
import type { InfoDtmf } from './dtmf-info';
import { dispatchInDialogRequest } from './in-dialog-dispatch';
import { InviteSuccessSender } from './invite-success-sender';
import type { SipRequest, SipResponse } from './message';
import type { ServerTransaction } from './transaction/server-transaction';
import { TransferTracker, type TransferResult } from './transfer-tracker';
import type { RemoteAddress, SipTransportKind } from './transport/sip-transport';
import type { UserAgentServices } from './user-agent-services';

const TRANSFER_TIMEOUT_MS = 32_000;

/** A re-INVITE from the far end, waiting for its owner's answer. */
export interface ReinviteRequest {
  /** The SDP offer; null for an offer-less re-INVITE (our offer goes in the 200, their answer in the ACK). */
  readonly offer: string | null;
  /** 200 with `sdp`, retransmitted until the ACK. */
  accept(sdp: string): void;
  reject(status: number): void;
}

export interface InviteSessionEvents {
  /** The far end sent BYE (answered 200; the session is terminated). */
  bye: () => void;
  /** Without a listener a re-INVITE is answered 488. */
  reinvite: (request: ReinviteRequest) => void;
  /** The ACK of our 2xx (its body, if any, is the SDP answer to an offer in our 2xx). */
  ack: (ack: SipRequest) => void;
  /** No ACK for our 2xx within 64*T1: BYE sent (the session is terminated). */
  ackTimeout: () => void;
  /** A keypad digit in an INFO request. */
  dtmf: (dtmf: InfoDtmf) => void;
}

/** What would let another process end this session (a BYE after a restart). */
export interface InviteSessionSnapshot {
  dialog: DialogState;
  transport: SipTransportKind;
  /** Where in-dialog requests go (inbound sessions: where the INVITE came from). */
  destination: RemoteAddress;
}

/**
 * One established INVITE dialog usage (RFC 3261 §12–§15), from the 2xx to the BYE: routes
 * in-dialog requests (BYE, re-INVITE, INFO, NOTIFY, OPTIONS, REFER), retransmits our 2xx until
 * its ACK, re-ACKs stray 2xx, sends BYE and REFER (RFC 3515). SDP stays opaque here: the owner
 * (a call leg) answers re-INVITEs. Registered in the core's dialog registry until `terminate()`.
 */
export class InviteSession implements DialogUsage {
  readonly dialog: Dialog;
  readonly transport: SipTransportKind;
  readonly #core: UserAgentServices;
  /** Inbound sessions: the INVITE's source; outbound sessions route by the dialog (undefined). */
  readonly #peer: RemoteAddress | undefined;
  readonly #events: TypedEmitter<InviteSessionEvents>;
  readonly #timers: TimerSet;
  readonly #success: InviteSuccessSender;
  readonly #transfer = new TransferTracker();
  /** Outbound sessions: the ACK of the 2xx that created the dialog, resent on a stray 2xx. */
  #ack: SipRequest | undefined;
  #byeSent: Promise<void> | undefined;
  #terminated = false;

  constructor(core: UserAgentServices, o: { dialog: Dialog; transport: SipTransportKind; peer?: RemoteAddress }) {
    this.#core = core;
    this.dialog = o.dialog;
    this.transport = o.transport;
    this.#peer = o.peer;
    this.#events = new TypedEmitter((err, event) =>
      core.log?.error({ err, event: String(event) }, 'SIP session listener failed'),
    );
    this.#timers = new TimerSet(core.timers);
    this.#success = new InviteSuccessSender({
      core,
      timers: this.#timers,
      localTag: o.dialog.localTag,
      transport: o.transport,
      onGiveUp: () => {
        void this.bye();
        this.#events.emit('ackTimeout');
      },
    });
    core.dialogs.add(o.dialog.id, this);
  }

  on<K extends keyof InviteSessionEvents>(event: K, listener: InviteSessionEvents[K]): this {
    this.#events.on(event, listener);
    return this;
  }

  get terminated(): boolean {
    return this.#terminated;
  }

  /** Where in-dialog requests go: the INVITE's source for inbound sessions, the route/target for outbound. */
  get destination(): RemoteAddress {
    return this.#peer ?? this.#core.remoteFor(this.dialog.nextHopUri(), this.transport);
  }

  get transferring(): boolean {
    return this.#transfer.active;
  }

  snapshot(): InviteSessionSnapshot {
    return { dialog: this.dialog.toState(), transport: this.transport, destination: { ...this.destination } };
  }

  /** Sends the ACK for the 2xx that created an outbound dialog (kept for stray 2xx). */
  sendAck(ack: SipRequest): void {
    this.#ack = ack;
    this.#core.sendStateless(ack, this.destination);
  }

  /** Our 200 (with `body`) to an INVITE or re-INVITE on `tx`, retransmitted until its ACK. */
  sendSuccess(tx: ServerTransaction, req: SipRequest, body: Buffer): void {
    this.#success.send(tx, req, body, this.destination);
  }

  // ---- from the core (DialogUsage) ----

  onRequest(req: SipRequest, tx: ServerTransaction): void {
    const respond = (status: number, headers: Array<[string, string]> = []): void =>
      tx.respond(this.#core.buildResponse(req, status, { headers }));
    if (this.#terminated) return respond(481);
    if (!this.dialog.acceptRemoteSeq(req)) return respond(500);
    dispatchInDialogRequest(req, {
      respond,
      bye: () => {
        this.terminate();
        this.#events.emit('bye');
      },
      reinvite: () => this.#onReinvite(req, tx),
      dtmf: (e) => this.#events.emit('dtmf', e),
      notify: (sipfrag, subscriptionState) => this.#transfer.onNotify(sipfrag, subscriptionState),
    });
  }

  onAck(ack: SipRequest): void {
    if (this.#success.acknowledge(ack)) this.#events.emit('ack', ack);
  }

  onStraySuccess(_res: SipResponse): void {
    if (this.#ack) this.#core.sendStateless(this.#ack, this.destination);
  }

  #onReinvite(req: SipRequest, tx: ServerTransaction): void {
    if (this.#events.listenerCount('reinvite') === 0) return tx.respond(this.#core.buildResponse(req, 488));
    this.dialog.refreshTarget(req);
    this.#events.emit('reinvite', {
      offer: req.body.length > 0 ? req.body.toString('utf8') : null,
      accept: (sdp) => this.sendSuccess(tx, req, Buffer.from(sdp)),
      reject: (status) => tx.respond(this.#core.buildResponse(req, status)),
    });
  }

  // ---- our requests ----

  /**
   * Sends BYE once and terminates the session (RFC 3261 §15.1.1: the session ends as the BYE is
   * sent); resolves on its final response or timeout. A terminated session sends nothing.
   */
  bye(): Promise<void> {
    if (this.#byeSent) return this.#byeSent;
    if (this.#terminated) return Promise.resolve();
    this.#byeSent = new Promise<void>((resolve) => {
      this.#core.sendRequest(this.dialog.createRequest('BYE'), this.destination, {
        onResponse: (res) => res.status >= 200 && resolve(),
        onTimeout: () => resolve(),
      });
    });
    this.terminate();
    return this.#byeSent;
  }

  /** Blind transfer (REFER); resolves from the REFER response and the NOTIFY sipfrag reports. */
  refer(target: string, referredBy: string): Promise<TransferResult> {
    if (this.#terminated || this.#transfer.active) return Promise.resolve({ ok: false });
    const result = this.#transfer.begin();
    const req = this.dialog.createRequest('REFER', [
      ['Refer-To', `<${target}>`],
      ['Referred-By', referredBy],
      ['Contact', this.#core.contact(this.transport)],
    ]);
    this.#core.sendRequest(req, this.destination, {
      onResponse: (res) => this.#transfer.onReferResponse(res.status),
      onTimeout: () => this.#transfer.finish({ ok: false, sipStatus: 408 }),
    });
    this.#timers.start('transfer', TRANSFER_TIMEOUT_MS, () => this.#transfer.finish({ ok: false }));
    return result;
  }

  /** Stops timers and 2xx retransmission, fails a pending transfer, leaves the registry (idempotent). */
  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#timers.clearAll();
    this.#success.stop();
    this.#transfer.finish({ ok: false });
    this.#core.dialogs.remove(this.dialog.id, this);
  }
}
