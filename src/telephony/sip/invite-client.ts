import { TimerSet } from '../../shared/timers';
import { TypedEmitter } from '../../shared/typed-emitter';
import { outcomeForStatus, type CallOutcome } from './call-outcome';
import { Dialog } from './dialog';
import { buildDigestAuthorization, parseDigestChallenge, type DigestCredentials } from './digest';
import { buildCancel, buildInitialInvite, cseqNumber, withAuthorization } from './invite-requests';
import { InviteSession } from './invite-session';
import type { SipRequest, SipResponse } from './message';
import type { SipTransportKind } from './transport/sip-transport';
import { parseSipUri } from './uri';
import type { UserAgentServices } from './user-agent-services';

const DEFAULT_RING_TIMEOUT_MS = 60_000;

export interface InviteClientOptions {
  /** e.g. `sip:+14155550199@trunk.example.com:5060` */
  target: string;
  /** Defaults to the URI's transport parameter, else UDP. */
  transport?: SipTransportKind | undefined;
  fromUser: string;
  fromDisplayName?: string | undefined;
  /** Answers one 401/407 digest challenge (RFC 3261 §22.2). */
  credentials?: DigestCredentials | undefined;
  /** Give up ringing after this long: CANCEL → no_answer. Default 60 000. */
  ringTimeoutMs?: number | undefined;
  headers?: Array<[string, string]> | undefined;
}

/** How an INVITE ended without an established call (or a 2xx that had to be hung up at once). */
export interface InviteEnd {
  outcome: CallOutcome;
  byRemote: boolean;
  sipStatus?: number | undefined;
  detail?: string | undefined;
}

export interface InviteClientEvents {
  /** A provisional response other than 100 (its body may be an early SDP answer). */
  progress: (res: SipResponse) => void;
  /** The 2xx: dialog established, ACK sent; the owner now owns the session. */
  answered: (session: InviteSession, res: SipResponse) => void;
  /** Final failure, ring timeout, CANCEL done, Timer B or transport error. Emitted at most once. */
  ended: (end: InviteEnd) => void;
}

/**
 * The UAC side of an outbound INVITE (RFC 3261 §13.2): the request, one digest retry with CSeq+1
 * and a new branch, provisional responses, the 2xx → ACK → InviteSession, and CANCEL (§9.1: only
 * after a provisional; ring timeout or our hang-up). The body is an opaque SDP offer.
 */
export class InviteClient {
  readonly options: InviteClientOptions;
  readonly callId: string;
  readonly localTag: string;
  readonly transport: SipTransportKind;
  /** False when the target is not a SIP URI (the owner ends the call as invalid_number). */
  readonly targetValid: boolean;
  readonly #core: UserAgentServices;
  readonly #events: TypedEmitter<InviteClientEvents>;
  readonly #timers: TimerSet;
  #invite: SipRequest | undefined;
  #provisional = false;
  #cancelReason: CallOutcome | undefined;
  #cancelSent = false;
  #credentialsSent = false;
  #answered = false;
  /** Ended, or abandoned by the owner: late responses only get CANCEL / ACK + BYE. */
  #over = false;

  constructor(core: UserAgentServices, options: InviteClientOptions, ids: { callId: string; localTag: string }) {
    this.#core = core;
    this.options = options;
    this.callId = ids.callId;
    this.localTag = ids.localTag;
    const uri = parseSipUri(options.target);
    this.targetValid = uri !== null;
    this.transport = options.transport ?? (uri?.params.get('transport') === 'tcp' ? 'tcp' : 'udp');
    this.#events = new TypedEmitter((err, event) =>
      core.log?.error({ err, event: String(event) }, 'INVITE client listener failed'),
    );
    this.#timers = new TimerSet(core.timers);
  }

  on<K extends keyof InviteClientEvents>(event: K, listener: InviteClientEvents[K]): this {
    this.#events.on(event, listener);
    return this;
  }

  /** Sends the INVITE with our SDP offer and starts the ring timeout. */
  start(offerSdp: string): void {
    const core = this.#core;
    this.#invite = buildInitialInvite({
      opts: this.options,
      callId: this.callId,
      localTag: this.localTag,
      publicHost: core.publicUriHost,
      contact: core.contact(this.transport, this.options.fromUser),
      offerSdp,
    });
    this.#timers.start('ring', this.options.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS, () => this.cancel('no_answer'));
    this.#sendInvite();
  }

  /** Stops ringing: CANCEL once a provisional came (RFC 3261 §9.1), then `ended` with `reason`. */
  cancel(reason: CallOutcome): void {
    if (this.#over || this.#answered || this.#cancelReason) return;
    this.#cancelReason = reason;
    if (!this.#invite) return this.#end(reason, { byRemote: false });
    if (this.#provisional) return this.#sendCancel();
    // Without a provisional response RFC 3261 §9.1 forbids CANCEL. Our own hang-up ends the call now
    // (the CANCEL follows the first provisional); a ring timeout waits for a provisional or Timer B.
    if (reason === 'canceled') this.#end('canceled', { byRemote: false, detail: 'hung up before the trunk answered' });
  }

  /** The owner ended the call: no more events; a late provisional gets our CANCEL, a late 2xx ACK + BYE. */
  abandon(): void {
    this.#over = true;
    this.#timers.clearAll();
  }

  #sendInvite(): void {
    const core = this.#core;
    core.sendRequest(this.#invite!, core.remoteFor(this.options.target, this.transport), {
      onResponse: (res) => this.#onInviteResponse(res),
      onTimeout: () => {
        if (this.#answered) return;
        this.#end('provider_error', { byRemote: false, detail: 'no response from the trunk (timer B)' });
      },
    });
  }

  #onInviteResponse(res: SipResponse): void {
    if (this.#over) {
      // Hung up before any provisional: CANCEL now that we may, or drop a late answer.
      if (res.status < 200 && this.#cancelReason && !this.#cancelSent) this.#sendCancel(false);
      if (res.status >= 200 && res.status < 300) this.#ackAndBye(res);
      return;
    }
    if (res.status < 200) return this.#onProvisional(res);
    if (res.status < 300) return this.#onAnswered(res);
    const credentials = this.options.credentials;
    if ((res.status === 401 || res.status === 407) && credentials && !this.#credentialsSent) {
      const challenge = parseDigestChallenge(
        res.headers.get(res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate') ?? '',
      );
      if (challenge) {
        const prev = this.#invite!;
        const value = buildDigestAuthorization(challenge, credentials, 'INVITE', prev.uri, this.#core.ids.token('', 8));
        this.#credentialsSent = true;
        this.#invite = withAuthorization(prev, res.status === 401 ? 'Authorization' : 'Proxy-Authorization', value);
        return this.#sendInvite();
      }
    }
    if (this.#cancelReason && res.status === 487)
      return this.#end(this.#cancelReason, { byRemote: false, sipStatus: 487 });
    this.#end(outcomeForStatus(res.status), { byRemote: true, sipStatus: res.status, detail: res.reason });
  }

  #onProvisional(res: SipResponse): void {
    this.#provisional = true;
    if (this.#cancelReason && !this.#cancelSent) return this.#sendCancel();
    if (res.status === 100) return;
    this.#events.emit('progress', res);
  }

  #onAnswered(res: SipResponse): void {
    const core = this.#core;
    const dialog = Dialog.fromUac(this.#invite!, res);
    if (!dialog)
      return this.#end('provider_error', { byRemote: false, sipStatus: res.status, detail: '2xx without To tag' });
    this.#timers.clearAll();
    this.#answered = true;
    const session = new InviteSession(core, { dialog, transport: this.transport });
    session.sendAck(
      dialog.createRequest(
        'ACK',
        [['Contact', core.contact(this.transport)]],
        Buffer.alloc(0),
        cseqNumber(this.#invite!),
      ),
    );
    if (this.#cancelReason) {
      // The answer crossed our CANCEL: end the call properly.
      void session.bye();
      this.#over = true;
      this.#events.emit('ended', { outcome: this.#cancelReason, byRemote: false, sipStatus: res.status });
      return;
    }
    this.#over = true;
    this.#events.emit('answered', session, res);
  }

  /** A 2xx after we gave up: acknowledge it and hang up at once (RFC 3261 §15). */
  #ackAndBye(res: SipResponse): void {
    const core = this.#core;
    const d = Dialog.fromUac(this.#invite!, res);
    if (!d) return;
    const dest = core.remoteFor(d.nextHopUri(), this.transport);
    core.sendStateless(d.createRequest('ACK', [], Buffer.alloc(0), cseqNumber(this.#invite!)), dest);
    core.sendRequest(d.createRequest('BYE'), dest, { onResponse: () => undefined, onTimeout: () => undefined });
  }

  #sendCancel(guard = true): void {
    const core = this.#core;
    this.#cancelSent = true;
    core.sendRequest(buildCancel(this.#invite!), core.remoteFor(this.options.target, this.transport), {
      onResponse: () => undefined,
      onTimeout: () => undefined,
    });
    // If no final response arrives within 64*T1 the call ends anyway (RFC 3261 §9.1).
    if (guard)
      this.#timers.start('cancel', 64 * core.sipTimers.t1Ms, () =>
        this.#end(this.#cancelReason ?? 'canceled', { byRemote: false }),
      );
  }

  #end(outcome: CallOutcome, opts: Omit<InviteEnd, 'outcome'>): void {
    if (this.#over) return;
    this.#over = true;
    this.#timers.clearAll();
    const end: InviteEnd = { outcome, byRemote: opts.byRemote };
    if (opts.sipStatus !== undefined) end.sipStatus = opts.sipStatus;
    if (opts.detail !== undefined) end.detail = opts.detail;
    this.#events.emit('ended', end);
  }
}
