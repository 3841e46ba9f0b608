import { AppError } from '../../shared/errors';
import type { RtpSession } from '../rtp/rtp-session';
import { TypedEvents } from '../rtp/typed-events';
import { readAnswer, isSdpError, type NegotiatedMedia } from '../sdp';
import { outcomeForStatus, type CallOutcome } from '../sip/call-outcome';
import { Dialog } from '../sip/dialog';
import { buildDigestAuthorization, parseDigestChallenge } from '../sip/digest';
import type { SipRequest, SipResponse } from '../sip/message';
import { parseNameAddr } from '../sip/name-addr';
import type { ServerTransaction } from '../sip/transaction/server-transaction';
import { TimerSet } from '../sip/transaction/timer-host';
import type { RemoteAddress, SipTransportKind } from '../sip/transport/sip-transport';
import { parseSipUri } from '../sip/uri';
import type { SipUserAgent } from '../sip/user-agent';
import { ALLOWED_METHODS } from '../sip/allowed-methods';
import type { CallLegEvents, DialOptions, LegEnded, LegState, TransferResult } from './call-leg-types';
import { parseInfoDtmf } from './dtmf-info';
import { LegMedia } from './leg-media';
import { TransferTracker } from './transfer-tracker';
import { buildCancel, buildInitialInvite, cseqNumber, withAuthorization } from './outbound-requests';
import { SuccessRetransmitter } from './success-retransmitter';

export type { DialOptions } from './call-leg-types';

const DEFAULT_RING_TIMEOUT_MS = 60_000;
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
  readonly #events = new TypedEvents<CallLegEvents>((err, ev) => this.#ua.log?.error('call leg listener failed', { event: String(ev), err }));
  readonly #timers: TimerSet;
  readonly #localTag: string;
  readonly #keys: string[] = [];
  #state: LegState;
  #media: LegMedia | undefined;
  #dialog: Dialog | undefined;
  #ended: LegEnded | undefined;
  readonly #endedPromise: Promise<LegEnded>;
  #resolveEnded!: (e: LegEnded) => void;
  // outbound
  #invite: SipRequest | undefined;
  #dial: DialOptions | undefined;
  #provisional = false;
  #cancelReason: CallOutcome | undefined;
  #cancelSent = false;
  #credentialsSent = false;
  #ack: SipRequest | undefined;
  // inbound
  #inviteTx: ServerTransaction | undefined;
  #peer: RemoteAddress | undefined;
  #pending2xx: SuccessRetransmitter | undefined;
  readonly #transfer = new TransferTracker();
  #byeSent: Promise<void> | undefined;

  private constructor(ua: SipUserAgent, direction: 'outbound' | 'inbound', callId: string, localTag: string, transport: SipTransportKind, state: LegState) {
    this.#ua = ua;
    this.direction = direction;
    this.callId = callId;
    this.#localTag = localTag;
    this.#transport = transport;
    this.#state = state;
    this.#timers = new TimerSet(ua.timerHost);
    this.#endedPromise = new Promise((resolve) => (this.#resolveEnded = resolve));
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

  // ---------------------------------------------------------------- outbound (UAC)

  static dial(ua: SipUserAgent, opts: DialOptions): CallLeg {
    const uri = parseSipUri(opts.target);
    const transport = opts.transport ?? (uri?.params.get('transport') === 'tcp' ? 'tcp' : 'udp');
    const leg = new CallLeg(ua, 'outbound', ua.newCallId(), ua.newTag(), transport, 'calling');
    leg.#dial = opts;
    if (!uri) {
      ua.timerHost.set(0, () => leg.#end('invalid_number', { byRemote: false, detail: `invalid SIP URI ${opts.target}` }));
      return leg;
    }
    leg.#startDial(opts).catch((err: unknown) => leg.#end('provider_error', { byRemote: false, detail: (err as Error).message }));
    return leg;
  }

  async #startDial(opts: DialOptions): Promise<void> {
    await this.#openMedia(opts.codecs);
    if (this.#ended) return;
    this.#invite = buildInitialInvite({ opts, callId: this.callId, localTag: this.#localTag, publicHost: this.#ua.publicUriHost,
      contact: this.#ua.contact(this.#transport, opts.fromUser), offerSdp: this.#media!.sdp.offer('sendrecv') });
    this.#timers.start('ring', opts.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS, () => this.#requestCancel('no_answer'));
    this.#sendInvite();
  }

  #sendInvite(): void {
    const invite = this.#invite!;
    this.#ua.sendRequest(invite, this.#ua.remoteFor(this.#dial!.target, this.#transport), {
      onResponse: (res) => this.#onInviteResponse(res),
      onTimeout: () => {
        if (this.#state === 'answered') return;
        this.#end('provider_error', { byRemote: false, detail: 'no response from the trunk (timer B)' });
      },
    });
  }

  #onInviteResponse(res: SipResponse): void {
    if (this.#ended) {
      // Hung up before any provisional: CANCEL now that we may, or drop a late answer.
      if (res.status < 200 && this.#cancelReason && !this.#cancelSent) this.#sendCancel(false);
      if (res.status >= 200 && res.status < 300) this.#ackAndBye(res);
      return;
    }
    if (res.status < 200) {
      this.#provisional = true;
      if (this.#cancelReason && !this.#cancelSent) return this.#sendCancel();
      if (res.status === 100) return;
      if (res.body.length > 0 && this.#state === 'calling') {
        const media = readAnswer(res.body.toString('utf8'));
        if (!isSdpError(media)) {
          this.#applyMedia(media);
          this.#state = 'early';
          this.#events.emit('ringing');
          this.#events.emit('earlyMedia');
          return;
        }
      }
      if (this.#state === 'calling') {
        this.#state = 'early';
        this.#events.emit('ringing');
      }
      return;
    }
    if (res.status < 300) return this.#onAnswered(res);
    if ((res.status === 401 || res.status === 407) && this.#dial?.credentials && !this.#credentialsSent) {
      const challenge = parseDigestChallenge(res.headers.get(res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate') ?? '');
      if (challenge) return this.#resendWithAuth(res.status, challenge);
    }
    if (this.#cancelReason && res.status === 487) return this.#end(this.#cancelReason, { byRemote: false, sipStatus: 487 });
    this.#end(outcomeForStatus(res.status), { byRemote: true, sipStatus: res.status, detail: res.reason });
  }

  #resendWithAuth(status: number, challenge: NonNullable<ReturnType<typeof parseDigestChallenge>>): void {
    const prev = this.#invite!;
    const value = buildDigestAuthorization(challenge, this.#dial!.credentials!, 'INVITE', prev.uri, this.#ua.ids.token('', 8));
    this.#credentialsSent = true;
    this.#invite = withAuthorization(prev, status === 401 ? 'Authorization' : 'Proxy-Authorization', value);
    this.#sendInvite();
  }

  #onAnswered(res: SipResponse): void {
    const dialog = Dialog.fromUac(this.#invite!, res);
    if (!dialog) return this.#end('provider_error', { byRemote: false, sipStatus: res.status, detail: '2xx without To tag' });
    this.#dialog = dialog;
    this.#timers.stop('ring');
    this.#timers.stop('cancel');
    this.#sendAck();
    if (this.#cancelReason) {
      // The answer crossed our CANCEL: end the call properly.
      this.#state = 'answered';
      void this.#sendBye();
      return this.#end(this.#cancelReason, { byRemote: false, sipStatus: res.status });
    }
    const media = readAnswer(res.body.toString('utf8'));
    if (isSdpError(media)) {
      void this.#sendBye();
      return this.#end('provider_error', { byRemote: false, sipStatus: 488, detail: `unusable SDP answer: ${media.error}` });
    }
    this.#applyMedia(media);
    this.#state = 'answered';
    this.#events.emit('answered');
  }

  #sendAck(): void {
    this.#ack = this.#dialog!.createRequest('ACK', [['Contact', this.#ua.contact(this.#transport)]], Buffer.alloc(0), cseqNumber(this.#invite!));
    this.#ua.sendRaw(this.#ack, this.#dest());
  }

  /** A retransmitted 2xx after the INVITE transaction ended: our ACK got lost, resend it. */
  onStraySuccess(res: SipResponse): void {
    if (this.#ack) this.#ua.sendRaw(this.#ack, this.#dest());
    else if (this.#ended) this.#ackAndBye(res);
  }

  #ackAndBye(res: SipResponse): void {
    const d = Dialog.fromUac(this.#invite!, res);
    if (!d) return;
    const dest = this.#ua.remoteFor(d.nextHopUri(), this.#transport);
    this.#ua.sendRaw(d.createRequest('ACK', [], Buffer.alloc(0), cseqNumber(this.#invite!)), dest);
    this.#ua.sendRequest(d.createRequest('BYE'), dest, { onResponse: () => undefined, onTimeout: () => undefined });
  }

  /** Stops ringing: CANCEL (once a provisional came), outcome `canceled`. */
  cancel(): void {
    this.#requestCancel('canceled');
  }

  #requestCancel(reason: CallOutcome): void {
    if (this.#ended || this.direction !== 'outbound' || this.#state === 'answered' || this.#cancelReason) return;
    this.#cancelReason = reason;
    if (!this.#invite) return this.#end(reason, { byRemote: false });
    if (this.#provisional) return this.#sendCancel();
    // Without a provisional response RFC 3261 §9.1 forbids CANCEL. Our own hang-up ends the leg now
    // (the CANCEL follows the first provisional); a ring timeout waits for a provisional or Timer B.
    if (reason === 'canceled') this.#end('canceled', { byRemote: false, detail: 'hung up before the trunk answered' });
  }

  #sendCancel(guard = true): void {
    this.#cancelSent = true;
    this.#ua.sendRequest(buildCancel(this.#invite!), this.#ua.remoteFor(this.#dial!.target, this.#transport), { onResponse: () => undefined, onTimeout: () => undefined });
    // If no final response arrives within 64*T1 the leg ends anyway (RFC 3261 §9.1).
    if (guard) this.#timers.start('cancel', 64 * this.#ua.timers.t1Ms, () => this.#end(this.#cancelReason ?? 'canceled', { byRemote: false }));
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
    this.#inviteTx!.respond(this.#ua.buildResponse(this.#invite!, 180, { toTag: this.#localTag, headers: [['Contact', this.#ua.contact(this.#transport)]] }));
  }

  /** Answers an inbound call: 200 with our SDP answer. Rejects with 488 when no codec fits. */
  async accept(opts: { codecs?: DialOptions['codecs'] } = {}): Promise<void> {
    if (this.#state !== 'offered') throw new AppError('conflict', 'call_not_offered', `cannot accept a call in state ${this.#state}`);
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
      this.#inviteTx!.respond(this.#ua.buildResponse(invite, 400, { toTag: this.#localTag, reason: 'Missing Contact or From tag' }));
      this.#end('provider_error', { byRemote: false, sipStatus: 400 });
      throw new AppError('invalid', 'sip_invite_invalid', 'INVITE without Contact or From tag');
    }
    const body = answer ? answer.answerSdp : this.#media!.sdp.offer('sendrecv');
    this.#send2xx(this.#inviteTx!, invite, Buffer.from(body));
    if (answer) this.#applyMedia(answer.media);
    this.#state = 'answered';
    this.#events.emit('answered');
  }

  /** Refuses an inbound call (default 603 Decline). */
  reject(status = 603, reason?: string): void {
    if (this.#state !== 'offered') return;
    this.#inviteTx!.respond(this.#ua.buildResponse(this.#invite!, status, { toTag: this.#localTag, ...(reason ? { reason } : {}) }));
    this.#end(status === 486 || status === 600 ? 'busy' : 'rejected', { byRemote: false, sipStatus: status });
  }

  onCancel(): void {
    if (this.#state !== 'offered') return;
    this.#inviteTx!.respond(this.#ua.buildResponse(this.#invite!, 487, { toTag: this.#localTag }));
    this.#end('canceled', { byRemote: true, sipStatus: 487 });
  }

  /** 2xx to an INVITE, retransmitted until the ACK; BYE after 64*T1 without one. */
  #send2xx(tx: ServerTransaction, req: SipRequest, body: Buffer): void {
    const res = this.#ua.buildResponse(req, 200, { toTag: this.#localTag, body, headers: [['Contact', this.#ua.contact(this.#transport)], ['Allow', ALLOWED_METHODS], ['Content-Type', 'application/sdp']] });
    tx.respond(res);
    const dest = this.#ua.responseDestination(req, this.#peer ?? this.#dest());
    this.#pending2xx?.stop();
    this.#pending2xx = new SuccessRetransmitter({ cseq: cseqNumber(req), timers: this.#timers, t1Ms: this.#ua.timers.t1Ms, t2Ms: this.#ua.timers.t2Ms,
      reliable: this.#transport === 'tcp', resend: () => this.#ua.sendRaw(res, dest),
      onGiveUp: () => {
        void this.#sendBye();
        this.#end('provider_error', { byRemote: false, detail: 'no ACK for our 200 OK' });
      } });
  }

  onAck(ack: SipRequest): void {
    const pending = this.#pending2xx;
    if (!pending || pending.done || cseqNumber(ack) !== pending.cseq) return;
    pending.stop();
    if (ack.body.length > 0 && this.#media) {
      const media = readAnswer(ack.body.toString('utf8'));
      if (!isSdpError(media)) this.#applyMedia(media);
    }
  }

  // ---------------------------------------------------------------- in-dialog

  /** A request inside our dialog (the UA matched Call-ID and our tag). */
  onRequest(req: SipRequest, tx: ServerTransaction): void {
    const dialog = this.#dialog;
    const respond = (status: number, headers: Array<[string, string]> = []): void => tx.respond(this.#ua.buildResponse(req, status, { headers }));
    if (!dialog || this.#ended) return respond(481);
    if (!dialog.acceptRemoteSeq(req)) return respond(500);
    switch (req.method) {
      case 'BYE':
        respond(200);
        return this.#end('completed', { byRemote: true });
      case 'INVITE':
        return this.#onReinvite(req, tx);
      case 'INFO': {
        const dtmf = parseInfoDtmf(req.headers.get('Content-Type') ?? '', req.body.toString('utf8'));
        respond(dtmf || req.body.length === 0 ? 200 : 415);
        if (dtmf) this.#events.emit('dtmf', { ...dtmf, source: 'info' });
        return;
      }
      case 'NOTIFY': {
        respond(200);
        return this.#transfer.onNotify(req.body.toString('utf8'), req.headers.get('Subscription-State') ?? '');
      }
      case 'OPTIONS':
        return respond(200, [['Allow', ALLOWED_METHODS]]);
      case 'REFER':
        return respond(603);
      case 'ACK':
        return;
      default:
        return respond(501);
    }
  }

  #onReinvite(req: SipRequest, tx: ServerTransaction): void {
    const sdp = this.#media?.sdp;
    if (!sdp) return tx.respond(this.#ua.buildResponse(req, 488));
    this.#dialog!.refreshTarget(req);
    if (req.body.length === 0) {
      // Offer-less re-INVITE: our offer goes in the 200, their answer in the ACK.
      return this.#send2xx(tx, req, Buffer.from(sdp.offer('sendrecv')));
    }
    const answer = sdp.answer(req.body.toString('utf8'));
    if ('error' in answer) return tx.respond(this.#ua.buildResponse(req, 488));
    this.#send2xx(tx, req, Buffer.from(answer.answerSdp));
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
      this.#ua.sendRequest(dialog.createRequest('BYE'), this.#dest(), { onResponse: (res) => res.status >= 200 && resolve(), onTimeout: () => resolve() });
    });
    return this.#byeSent;
  }

  /** Blind transfer (REFER); resolves from the REFER response and the NOTIFY sipfrag reports. */
  transfer(target: string): Promise<TransferResult> {
    const dialog = this.#dialog;
    if (!dialog || this.#state !== 'answered' || this.#transfer.active) return Promise.resolve({ ok: false });
    const result = this.#transfer.begin();
    const req = dialog.createRequest('REFER', [['Refer-To', `<${target}>`], ['Referred-By', `<sip:${this.#dial?.fromUser ?? 'thunderphone'}@${this.#ua.publicUriHost}>`],
      ['Contact', this.#ua.contact(this.#transport)]]);
    this.#ua.sendRequest(req, this.#dest(), {
      onResponse: (res) => this.#transfer.onReferResponse(res.status),
      onTimeout: () => this.#transfer.finish({ ok: false, sipStatus: 408 }),
    });
    this.#timers.start('transfer', TRANSFER_TIMEOUT_MS, () => this.#transfer.finish({ ok: false }));
    return result;
  }

  /** RFC 4733 digits on the RTP session. */
  async sendDtmf(digits: string): Promise<void> {
    if (!this.#media || this.#state !== 'answered') throw new AppError('conflict', 'call_not_answered', 'DTMF needs an answered call with media');
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
    media.session.on('dtmf', (e) => this.#events.emit('dtmf', { digit: e.digit, durationMs: e.durationMs, source: 'rfc4733' }));
    media.session.on('mediaTimeout', () => this.#events.emit('mediaTimeout'));
  }

  #applyMedia(negotiated: NegotiatedMedia): void {
    const change = this.#media?.apply(negotiated);
    if (change) this.#events.emit(change);
  }

  /** Where in-dialog requests go: the INVITE's source for inbound legs, the route/target for outbound. */
  #dest(): RemoteAddress {
    if (this.#peer) return this.#peer;
    const uri = this.#dialog?.nextHopUri() ?? this.#dial?.target ?? '';
    return this.#ua.remoteFor(uri, this.#transport);
  }

  #end(outcome: CallOutcome, opts: { byRemote: boolean; sipStatus?: number | undefined; detail?: string | undefined }): void {
    if (this.#ended) return;
    const ended: LegEnded = { outcome, byRemote: opts.byRemote };
    if (opts.sipStatus !== undefined) ended.sipStatus = opts.sipStatus;
    if (opts.detail !== undefined) ended.detail = opts.detail;
    this.#ended = ended;
    this.#state = 'ended';
    this.#timers.clearAll();
    this.#pending2xx?.stop();
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
