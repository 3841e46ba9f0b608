import { AppError } from '../../shared/errors';
import type { RtpSession } from '../rtp/rtp-session';
import { TypedEvents } from '../rtp/typed-events';
import { readAnswer, isSdpError, type NegotiatedMedia } from '../sdp';
import type { CallOutcome } from '../sip/call-outcome';
import { Dialog } from '../sip/dialog';
import type { SipRequest, SipResponse } from '../sip/message';
import { parseNameAddr } from '../sip/name-addr';
import type { ServerTransaction } from '../sip/transaction/server-transaction';
import { TimerSet } from '../sip/transaction/timer-host';
import type { RemoteAddress, SipTransportKind } from '../sip/transport/sip-transport';
import { parseSipUri } from '../sip/uri';
import type { SipUserAgent } from '../sip/user-agent';
import type { CallLegEvents, DialOptions, LegEnded, LegState, TransferResult } from './call-leg-types';
import { dispatchInDialogRequest } from './in-dialog-dispatch';
import { InviteClient } from './invite-client';
import type { LegEndOptions, LegHost } from './leg-host';
import { LegMedia } from './leg-media';
import { TransferTracker } from './transfer-tracker';
import { InviteSuccessSender } from './invite-success-sender';

export type { DialOptions } from './call-leg-types';

const TRANSFER_TIMEOUT_MS = 32_000;

/**
 * One call leg: a SIP dialog joined with an RTP session. Emits exactly one 'ended' on every path
 * and always closes its RTP session (which releases the port).
 */
export class CallLeg {
  readonly direction: 'outbound' | 'inbound';
  readonly callId: string;
  readonly #ua: SipUserAgent;
  readonly #transport: SipTransportKind;
  readonly #events = new TypedEvents<CallLegEvents>((err, ev) =>
    this.#ua.log?.error({ event: String(ev), err }, 'call leg listener failed'),
  );
  readonly #timers: TimerSet;
  readonly #localTag: string;
  readonly #keys: string[] = [];
  #state: LegState;
  #media: LegMedia | undefined;
  #dialog: Dialog | undefined;
  #ended: LegEnded | undefined;
  readonly #endedPromise: Promise<LegEnded>;
  #resolveEnded!: (e: LegEnded) => void;
  #client: InviteClient | undefined;
  // inbound
  #invite: SipRequest | undefined;
  #inviteTx: ServerTransaction | undefined;
  #peer: RemoteAddress | undefined;
  readonly #success: InviteSuccessSender;
  readonly #transfer = new TransferTracker();
  #byeSent: Promise<void> | undefined;

  private constructor(
    ua: SipUserAgent,
    direction: 'outbound' | 'inbound',
    callId: string,
    localTag: string,
    transport: SipTransportKind,
    state: LegState,
  ) {
    this.#ua = ua;
    this.direction = direction;
    this.callId = callId;
    this.#localTag = localTag;
    this.#transport = transport;
    this.#state = state;
    this.#timers = new TimerSet(ua.timerHost);
    this.#endedPromise = new Promise((resolve) => (this.#resolveEnded = resolve));
    this.#success = new InviteSuccessSender(this.#host());
    this.#register(`${callId}|${localTag}`);
  }

  get state(): LegState {
    return this.#state;
  }

  /** The RTP session (audio in/out as 8 kHz Int16 20 ms frames); set once media is negotiated. */
  get media(): RtpSession | undefined {
    return this.#media?.session;
  }

  get onHold(): boolean {
    return this.#media?.held ?? false;
  }

  get endResult(): LegEnded | undefined {
    return this.#ended;
  }

  on<K extends keyof CallLegEvents>(event: K, listener: CallLegEvents[K]): this {
    this.#events.on(event, listener);
    return this;
  }

  /** Resolves with the 'ended' payload (already ended legs resolve at once). */
  whenEnded(): Promise<LegEnded> {
    return this.#endedPromise;
  }

  #register(key: string): void {
    this.#keys.push(key);
    this.#ua.registerLeg(key, this);
  }

  #host(): LegHost {
    return {
      ua: this.#ua,
      transport: this.#transport,
      timers: this.#timers,
      events: this.#events,
      callId: this.callId,
      localTag: this.#localTag,
      state: () => this.#state,
      setState: (state) => void (this.#state = state),
      isEnded: () => this.#ended !== undefined,
      setDialog: (dialog) => void (this.#dialog = dialog),
      dest: () => this.#dest(),
      applyMedia: (negotiated) => this.#applyMedia(negotiated),
      sendBye: () => this.#sendBye(),
      end: (outcome, opts) => this.#end(outcome, opts),
    };
  }

  // ---------------------------------------------------------------- outbound (UAC)

  static dial(ua: SipUserAgent, opts: DialOptions): CallLeg {
    const uri = parseSipUri(opts.target);
    const transport = opts.transport ?? (uri?.params.get('transport') === 'tcp' ? 'tcp' : 'udp');
    const leg = new CallLeg(ua, 'outbound', ua.newCallId(), ua.newTag(), transport, 'calling');
    leg.#client = new InviteClient(leg.#host(), opts);
    if (!uri) {
      ua.timerHost.set(0, () =>
        leg.#end('invalid_number', { byRemote: false, detail: `invalid SIP URI ${opts.target}` }),
      );
      return leg;
    }
    leg
      .#startDial(leg.#client)
      .catch((err: unknown) => leg.#end('provider_error', { byRemote: false, detail: (err as Error).message }));
    return leg;
  }

  async #startDial(client: InviteClient): Promise<void> {
    await this.#openMedia(client.dial.codecs);
    if (this.#ended) return;
    client.start(this.#media!.sdp.offer('sendrecv'));
  }

  /** A retransmitted 2xx after the INVITE transaction ended: our ACK got lost, resend it. */
  onStraySuccess(res: SipResponse): void {
    this.#client?.onStraySuccess(res);
  }

  /** Stops ringing: CANCEL (once a provisional came), outcome `canceled`. */
  cancel(): void {
    this.#client?.requestCancel('canceled');
  }

  // ---------------------------------------------------------------- inbound (UAS)

  static incoming(ua: SipUserAgent, invite: SipRequest, tx: ServerTransaction, peer: RemoteAddress): CallLeg {
    const leg = new CallLeg(ua, 'inbound', invite.headers.get('Call-ID') ?? '', ua.newTag(), peer.transport, 'offered');
    leg.#inviteTx = tx;
    leg.#invite = invite;
    leg.#peer = peer;
    const fromTag = parseNameAddr(invite.headers.get('From') ?? '')?.params.get('tag') ?? '';
    leg.#register(`${leg.callId}|cancel:${fromTag}`);
    return leg;
  }

  /** Sends 180 Ringing (inbound legs, before accept). */
  ring(): void {
    if (this.#state !== 'offered') return;
    this.#inviteTx!.respond(
      this.#ua.buildResponse(this.#invite!, 180, {
        toTag: this.#localTag,
        headers: [['Contact', this.#ua.contact(this.#transport)]],
      }),
    );
  }

  /** Answers an inbound call: 200 with our SDP answer. Rejects with 488 when no codec fits. */
  async accept(opts: { codecs?: DialOptions['codecs'] } = {}): Promise<void> {
    if (this.#state !== 'offered')
      throw new AppError('conflict', 'call_not_offered', `cannot accept a call in state ${this.#state}`);
    const invite = this.#invite!;
    await this.#openMedia(opts.codecs);
    if (this.#ended) throw new AppError('conflict', 'call_not_offered', 'the call ended before it was answered');
    const answer = invite.body.length > 0 ? this.#media!.sdp.answer(invite.body.toString('utf8')) : null;
    if (answer && 'error' in answer) {
      this.#inviteTx!.respond(this.#ua.buildResponse(invite, 488, { toTag: this.#localTag }));
      this.#end('provider_error', { byRemote: false, sipStatus: 488, detail: answer.error });
      throw new AppError('unprocessable', 'sdp_offer_not_acceptable', `unacceptable SDP offer: ${answer.error}`);
    }
    this.#dialog = Dialog.fromUas(invite, this.#localTag, 1) ?? undefined;
    if (!this.#dialog) {
      this.#inviteTx!.respond(
        this.#ua.buildResponse(invite, 400, { toTag: this.#localTag, reason: 'Missing Contact or From tag' }),
      );
      this.#end('provider_error', { byRemote: false, sipStatus: 400 });
      throw new AppError('invalid', 'sip_invite_invalid', 'INVITE without Contact or From tag');
    }
    const body = answer ? answer.answerSdp : this.#media!.sdp.offer('sendrecv');
    this.#success.send(this.#inviteTx!, invite, Buffer.from(body));
    if (answer) this.#applyMedia(answer.media);
    this.#state = 'answered';
    this.#events.emit('answered');
  }

  /** Refuses an inbound call (default 603 Decline). */
  reject(status = 603, reason?: string): void {
    if (this.#state !== 'offered') return;
    this.#inviteTx!.respond(
      this.#ua.buildResponse(this.#invite!, status, { toTag: this.#localTag, ...(reason ? { reason } : {}) }),
    );
    this.#end(status === 486 || status === 600 ? 'busy' : 'rejected', { byRemote: false, sipStatus: status });
  }

  onCancel(): void {
    if (this.#state !== 'offered') return;
    this.#inviteTx!.respond(this.#ua.buildResponse(this.#invite!, 487, { toTag: this.#localTag }));
    this.#end('canceled', { byRemote: true, sipStatus: 487 });
  }

  onAck(ack: SipRequest): void {
    if (!this.#success.acknowledge(ack)) return;
    if (ack.body.length > 0 && this.#media) {
      const media = readAnswer(ack.body.toString('utf8'));
      if (!isSdpError(media)) this.#applyMedia(media);
    }
  }

  // ---------------------------------------------------------------- in-dialog

  /** A request inside our dialog (the UA matched Call-ID and our tag). */
  onRequest(req: SipRequest, tx: ServerTransaction): void {
    const dialog = this.#dialog;
    const respond = (status: number, headers: Array<[string, string]> = []): void =>
      tx.respond(this.#ua.buildResponse(req, status, { headers }));
    if (!dialog || this.#ended) return respond(481);
    if (!dialog.acceptRemoteSeq(req)) return respond(500);
    dispatchInDialogRequest(req, {
      respond,
      bye: () => this.#end('completed', { byRemote: true }),
      reinvite: () => this.#onReinvite(req, tx),
      dtmf: (e) => this.#events.emit('dtmf', e),
      notify: (sipfrag, subscriptionState) => this.#transfer.onNotify(sipfrag, subscriptionState),
    });
  }

  #onReinvite(req: SipRequest, tx: ServerTransaction): void {
    const sdp = this.#media?.sdp;
    if (!sdp) return tx.respond(this.#ua.buildResponse(req, 488));
    this.#dialog!.refreshTarget(req);
    if (req.body.length === 0) {
      // Offer-less re-INVITE: our offer goes in the 200, their answer in the ACK.
      return this.#success.send(tx, req, Buffer.from(sdp.offer('sendrecv')));
    }
    const answer = sdp.answer(req.body.toString('utf8'));
    if ('error' in answer) return tx.respond(this.#ua.buildResponse(req, 488));
    this.#success.send(tx, req, Buffer.from(answer.answerSdp));
    this.#applyMedia(answer.media);
  }

  /** Ends the call from our side: BYE when answered, CANCEL while ringing, 603 when still offered. */
  async hangUp(): Promise<void> {
    if (this.#ended) return;
    if (this.#state === 'offered') return this.reject(603);
    if (this.#state !== 'answered') {
      this.cancel();
      await this.#endedPromise;
      return;
    }
    const bye = this.#sendBye();
    this.#end('completed', { byRemote: false });
    await bye;
  }

  #sendBye(): Promise<void> {
    if (this.#byeSent) return this.#byeSent;
    const dialog = this.#dialog;
    if (!dialog) return Promise.resolve();
    this.#byeSent = new Promise<void>((resolve) => {
      this.#ua.sendRequest(dialog.createRequest('BYE'), this.#dest(), {
        onResponse: (res) => res.status >= 200 && resolve(),
        onTimeout: () => resolve(),
      });
    });
    return this.#byeSent;
  }

  /** Blind transfer (REFER); resolves from the REFER response and the NOTIFY sipfrag reports. */
  transfer(target: string): Promise<TransferResult> {
    const dialog = this.#dialog;
    if (!dialog || this.#state !== 'answered' || this.#transfer.active) return Promise.resolve({ ok: false });
    const result = this.#transfer.begin();
    const req = dialog.createRequest('REFER', [
      ['Refer-To', `<${target}>`],
      ['Referred-By', `<sip:${this.#client?.dial.fromUser ?? 'thunderphone'}@${this.#ua.publicUriHost}>`],
      ['Contact', this.#ua.contact(this.#transport)],
    ]);
    this.#ua.sendRequest(req, this.#dest(), {
      onResponse: (res) => this.#transfer.onReferResponse(res.status),
      onTimeout: () => this.#transfer.finish({ ok: false, sipStatus: 408 }),
    });
    this.#timers.start('transfer', TRANSFER_TIMEOUT_MS, () => this.#transfer.finish({ ok: false }));
    return result;
  }

  /** RFC 4733 digits on the RTP session. */
  async sendDtmf(digits: string): Promise<void> {
    if (!this.#media || this.#state !== 'answered')
      throw new AppError('conflict', 'call_not_answered', 'DTMF needs an answered call with media');
    await this.#media.session.sendDtmf(digits);
  }

  // ---------------------------------------------------------------- media & end

  async #openMedia(codecs: DialOptions['codecs']): Promise<void> {
    const media = await LegMedia.open(this.#ua, codecs);
    if (this.#ended) {
      await media.session.close();
      return;
    }
    this.#media = media;
    media.session.on('dtmf', (e) =>
      this.#events.emit('dtmf', { digit: e.digit, durationMs: e.durationMs, source: 'rfc4733' }),
    );
    media.session.on('mediaTimeout', () => this.#events.emit('mediaTimeout'));
  }

  #applyMedia(negotiated: NegotiatedMedia): void {
    const change = this.#media?.apply(negotiated);
    if (change) this.#events.emit(change);
  }

  /** Where in-dialog requests go: the INVITE's source for inbound legs, the route/target for outbound. */
  #dest(): RemoteAddress {
    if (this.#peer) return this.#peer;
    const uri = this.#dialog?.nextHopUri() ?? this.#client?.dial.target ?? '';
    return this.#ua.remoteFor(uri, this.#transport);
  }

  #end(outcome: CallOutcome, opts: LegEndOptions): void {
    if (this.#ended) return;
    const ended: LegEnded = { outcome, byRemote: opts.byRemote };
    if (opts.sipStatus !== undefined) ended.sipStatus = opts.sipStatus;
    if (opts.detail !== undefined) ended.detail = opts.detail;
    this.#ended = ended;
    this.#state = 'ended';
    this.#timers.clearAll();
    this.#success.stop();
    this.#transfer.finish({ ok: false });
    for (const key of this.#keys) this.#ua.unregisterLeg(key);
    void this.#media?.session.close();
    this.#events.emit('ended', ended);
    this.#resolveEnded(ended);
  }

  /** UA shutdown: BYE/CANCEL what is up, then end. */
  async shutdown(): Promise<void> {
    if (this.#ended) return;
    if (this.#state === 'answered') {
      const bye = this.#sendBye();
      this.#end('completed', { byRemote: false, detail: 'user agent stopped' });
      await Promise.race([bye, new Promise((r) => setTimeout(r, 200))]);
      return;
    }
    if (this.#state === 'offered') return this.reject(503);
    this.#end('canceled', { byRemote: false, detail: 'user agent stopped' });
  }
}
