import { AppError } from '../../shared/errors';
import { TypedEmitter } from '../../shared/typed-emitter';
import type { RtpSession } from '../rtp/rtp-session';
import { isSdpError, readAnswer, type NegotiatedMedia } from '../sdp';
import type { CallOutcome } from '../sip/call-outcome';
import type { IncomingInvite } from '../sip/incoming-invite';
import type { InviteClient, InviteEnd } from '../sip/invite-client';
import type { InviteSession, ReinviteRequest } from '../sip/invite-session';
import type { SipResponse } from '../sip/message';
import type { UserAgentCore } from '../sip/user-agent-core';
import type {
  CallLegEvents,
  CallMediaDefaults,
  DialOptions,
  LegEnded,
  LegState,
  TransferResult,
} from './call-leg-types';
import { LegMedia } from './leg-media';

export type { CallLegEvents, DialOptions, LegEnded } from './call-leg-types';

type LegEndOptions = Omit<InviteEnd, 'outcome'>;

/**
 * One call leg: a SIP INVITE usage (InviteClient / IncomingInvite, then InviteSession) joined
 * with an RTP session and our SDP offer/answer. The SIP parts report by events; the leg owns
 * its state, its media and its end: exactly one 'ended' on every path, RTP session always
 * closed (which releases the port).
 */
export class CallLeg {
  readonly direction: 'outbound' | 'inbound';
  readonly callId: string;
  readonly #core: UserAgentCore;
  readonly #mediaDefaults: CallMediaDefaults;
  readonly #events: TypedEmitter<CallLegEvents>;
  #state: LegState;
  #media: LegMedia | undefined;
  #ended: LegEnded | undefined;
  readonly #endedPromise: Promise<LegEnded>;
  #resolveEnded!: (e: LegEnded) => void;
  /** Outbound: the INVITE until answered. */
  #client: InviteClient | undefined;
  /** Inbound: the INVITE until answered. */
  #offer: IncomingInvite | undefined;
  /** The established dialog. */
  #session: InviteSession | undefined;

  private constructor(
    core: UserAgentCore,
    media: CallMediaDefaults,
    direction: 'outbound' | 'inbound',
    callId: string,
    state: LegState,
  ) {
    this.#core = core;
    this.#mediaDefaults = media;
    this.direction = direction;
    this.callId = callId;
    this.#state = state;
    this.#events = new TypedEmitter((err, ev) =>
      core.log?.error({ event: String(ev), err }, 'call leg listener failed'),
    );
    this.#endedPromise = new Promise((resolve) => (this.#resolveEnded = resolve));
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

  // ---------------------------------------------------------------- outbound (UAC)

  static dial(core: UserAgentCore, media: CallMediaDefaults, opts: DialOptions): CallLeg {
    const client = core.invite({
      target: opts.target,
      transport: opts.transport,
      fromUser: opts.fromUser,
      fromDisplayName: opts.fromDisplayName,
      credentials: opts.credentials,
      ringTimeoutMs: opts.ringTimeoutMs,
      headers: opts.headers,
    });
    const leg = new CallLeg(core, media, 'outbound', client.callId, 'calling');
    leg.#client = client;
    client
      .on('progress', (res) => leg.#onProgress(res))
      .on('answered', (session, res) => leg.#onAnswered(session, res))
      .on('ended', (end) => leg.#end(end.outcome, end));
    if (!client.targetValid) {
      core.timers.set(0, () =>
        leg.#end('invalid_number', { byRemote: false, detail: `invalid SIP URI ${opts.target}` }),
      );
      return leg;
    }
    leg
      .#startDial(client, opts.codecs)
      .catch((err: unknown) => leg.#end('provider_error', { byRemote: false, detail: (err as Error).message }));
    return leg;
  }

  async #startDial(client: InviteClient, codecs: DialOptions['codecs']): Promise<void> {
    await this.#openMedia(codecs);
    if (this.#ended) return;
    client.start(this.#media!.sdp.offer('sendrecv'));
  }

  /** A provisional response: ringing, with early media when it carries a usable SDP answer. */
  #onProgress(res: SipResponse): void {
    if (this.#state !== 'calling') return;
    const media = res.body.length > 0 ? readAnswer(res.body.toString('utf8')) : null;
    const early = media !== null && !isSdpError(media);
    if (early) this.#applyMedia(media);
    this.#state = 'early';
    this.#events.emit('ringing');
    if (early) this.#events.emit('earlyMedia');
  }

  #onAnswered(session: InviteSession, res: SipResponse): void {
    this.#attach(session);
    const media = readAnswer(res.body.toString('utf8'));
    if (isSdpError(media)) {
      void session.bye();
      return this.#end('provider_error', {
        byRemote: false,
        sipStatus: 488,
        detail: `unusable SDP answer: ${media.error}`,
      });
    }
    this.#applyMedia(media);
    this.#state = 'answered';
    this.#events.emit('answered');
  }

  /** Stops ringing: CANCEL (once a provisional came), outcome `canceled`. */
  cancel(): void {
    this.#client?.cancel('canceled');
  }

  // ---------------------------------------------------------------- inbound (UAS)

  static incoming(core: UserAgentCore, media: CallMediaDefaults, invite: IncomingInvite): CallLeg {
    const leg = new CallLeg(core, media, 'inbound', invite.callId, 'offered');
    leg.#offer = invite;
    invite.on('canceled', () => {
      if (leg.#state === 'offered') leg.#end('canceled', { byRemote: true, sipStatus: 487 });
    });
    return leg;
  }

  /** Sends 180 Ringing (inbound legs, before accept). */
  ring(): void {
    if (this.#state !== 'offered') return;
    this.#offer!.ring();
  }

  /** Answers an inbound call: 200 with our SDP answer. Rejects with 488 when no codec fits. */
  async accept(opts: { codecs?: DialOptions['codecs'] } = {}): Promise<void> {
    if (this.#state !== 'offered')
      throw new AppError('conflict', 'call_not_offered', `cannot accept a call in state ${this.#state}`);
    const offer = this.#offer!;
    await this.#openMedia(opts.codecs);
    if (this.#ended) throw new AppError('conflict', 'call_not_offered', 'the call ended before it was answered');
    const invite = offer.request;
    const answer = invite.body.length > 0 ? this.#media!.sdp.answer(invite.body.toString('utf8')) : null;
    if (answer && 'error' in answer) {
      offer.reject(488);
      this.#end('provider_error', { byRemote: false, sipStatus: 488, detail: answer.error });
      throw new AppError('unprocessable', 'sdp_offer_not_acceptable', `unacceptable SDP offer: ${answer.error}`);
    }
    const body = answer ? answer.answerSdp : this.#media!.sdp.offer('sendrecv');
    const session = offer.accept(Buffer.from(body));
    if (!session) {
      this.#end('provider_error', { byRemote: false, sipStatus: 400 });
      throw new AppError('invalid', 'sip_invite_invalid', 'INVITE without Contact or From tag');
    }
    this.#attach(session);
    if (answer) this.#applyMedia(answer.media);
    this.#state = 'answered';
    this.#events.emit('answered');
  }

  /** Refuses an inbound call (default 603 Decline). */
  reject(status = 603, reason?: string, headers?: Array<[string, string]>): void {
    if (this.#state !== 'offered') return;
    this.#offer!.reject(status, reason, headers);
    this.#end(status === 486 || status === 600 ? 'busy' : 'rejected', { byRemote: false, sipStatus: status });
  }

  // ---------------------------------------------------------------- in-dialog

  #attach(session: InviteSession): void {
    this.#session = session;
    session
      .on('bye', () => this.#end('completed', { byRemote: true }))
      .on('reinvite', (r) => this.#onReinvite(r))
      .on('ack', (ack) => {
        if (ack.body.length === 0 || !this.#media) return;
        const media = readAnswer(ack.body.toString('utf8'));
        if (!isSdpError(media)) this.#applyMedia(media);
      })
      .on('ackTimeout', () => this.#end('provider_error', { byRemote: false, detail: 'no ACK for our 200 OK' }))
      .on('dtmf', (d) => this.#events.emit('dtmf', { ...d, source: 'info' }));
  }

  #onReinvite(r: ReinviteRequest): void {
    const sdp = this.#media?.sdp;
    if (!sdp) return r.reject(488);
    // Offer-less re-INVITE: our offer goes in the 200, their answer in the ACK.
    if (r.offer === null) return r.accept(sdp.offer('sendrecv'));
    const answer = sdp.answer(r.offer);
    if ('error' in answer) return r.reject(488);
    r.accept(answer.answerSdp);
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
    const bye = this.#session!.bye();
    this.#end('completed', { byRemote: false });
    await bye;
  }

  /** Blind transfer (REFER); resolves from the REFER response and the NOTIFY sipfrag reports. */
  transfer(target: string): Promise<TransferResult> {
    const session = this.#session;
    if (!session || this.#state !== 'answered' || session.transferring) return Promise.resolve({ ok: false });
    const fromUser = this.#client?.options.fromUser ?? 'thunderphone';
    return session.refer(target, `<sip:${fromUser}@${this.#core.publicUriHost}>`);
  }

  /** RFC 4733 digits on the RTP session. */
  async sendDtmf(digits: string): Promise<void> {
    if (!this.#media || this.#state !== 'answered')
      throw new AppError('conflict', 'call_not_answered', 'DTMF needs an answered call with media');
    await this.#media.session.sendDtmf(digits);
  }

  // ---------------------------------------------------------------- media & end

  async #openMedia(codecs: DialOptions['codecs']): Promise<void> {
    const media = await LegMedia.open(this.#core, this.#mediaDefaults, codecs);
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

  #end(outcome: CallOutcome, opts: LegEndOptions): void {
    if (this.#ended) return;
    const ended: LegEnded = { outcome, byRemote: opts.byRemote };
    if (opts.sipStatus !== undefined) ended.sipStatus = opts.sipStatus;
    if (opts.detail !== undefined) ended.detail = opts.detail;
    this.#ended = ended;
    this.#state = 'ended';
    this.#client?.abandon();
    this.#session?.terminate();
    void this.#media?.session.close();
    this.#events.emit('ended', ended);
    this.#resolveEnded(ended);
  }

  /** User agent shutdown: BYE/CANCEL what is up, then end. */
  async shutdown(): Promise<void> {
    if (this.#ended) return;
    if (this.#state === 'answered') {
      const bye = this.#session!.bye();
      this.#end('completed', { byRemote: false, detail: 'user agent stopped' });
      let handle: unknown;
      await Promise.race([bye, new Promise((r) => (handle = this.#core.timers.set(200, () => r(undefined))))]);
      this.#core.timers.clear(handle);
      return;
    }
    if (this.#state === 'offered') return this.reject(503);
    this.#end('canceled', { byRemote: false, detail: 'user agent stopped' });
  }
}
