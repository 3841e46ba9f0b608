import { readAnswer, isSdpError } from '../sdp';
import { outcomeForStatus, type CallOutcome } from '../sip/call-outcome';
import { Dialog } from '../sip/dialog';
import { buildDigestAuthorization, parseDigestChallenge } from '../sip/digest';
import type { SipRequest, SipResponse } from '../sip/message';
import type { DialOptions } from './call-leg-types';
import type { LegHost } from './leg-host';
import { buildCancel, buildInitialInvite, cseqNumber, withAuthorization } from './outbound-requests';

const DEFAULT_RING_TIMEOUT_MS = 60_000;

/**
 * The UAC side of an outbound leg: the INVITE, digest auth retry, provisional/early media, the
 * answer and its ACK, and CANCEL (ring timeout or hang-up while ringing, RFC 3261 §9.1).
 */
export class InviteClient {
  readonly dial: DialOptions;
  readonly #host: LegHost;
  #invite: SipRequest | undefined;
  #provisional = false;
  #cancelReason: CallOutcome | undefined;
  #cancelSent = false;
  #credentialsSent = false;
  #ack: SipRequest | undefined;

  constructor(host: LegHost, dial: DialOptions) {
    this.#host = host;
    this.dial = dial;
  }

  /** Sends the INVITE with our SDP offer and starts the ring timeout. */
  start(offerSdp: string): void {
    const h = this.#host;
    this.#invite = buildInitialInvite({
      opts: this.dial,
      callId: h.callId,
      localTag: h.localTag,
      publicHost: h.ua.publicUriHost,
      contact: h.ua.contact(h.transport, this.dial.fromUser),
      offerSdp,
    });
    h.timers.start('ring', this.dial.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS, () => this.requestCancel('no_answer'));
    this.#sendInvite();
  }

  #sendInvite(): void {
    const h = this.#host;
    h.ua.sendRequest(this.#invite!, h.ua.remoteFor(this.dial.target, h.transport), {
      onResponse: (res) => this.#onInviteResponse(res),
      onTimeout: () => {
        if (h.state() === 'answered') return;
        h.end('provider_error', { byRemote: false, detail: 'no response from the trunk (timer B)' });
      },
    });
  }

  #onInviteResponse(res: SipResponse): void {
    const h = this.#host;
    if (h.isEnded()) {
      // Hung up before any provisional: CANCEL now that we may, or drop a late answer.
      if (res.status < 200 && this.#cancelReason && !this.#cancelSent) this.#sendCancel(false);
      if (res.status >= 200 && res.status < 300) this.#ackAndBye(res);
      return;
    }
    if (res.status < 200) return this.#onProvisional(res);
    if (res.status < 300) return this.#onAnswered(res);
    if ((res.status === 401 || res.status === 407) && this.dial.credentials && !this.#credentialsSent) {
      const challenge = parseDigestChallenge(
        res.headers.get(res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate') ?? '',
      );
      if (challenge) return this.#resendWithAuth(res.status, challenge);
    }
    if (this.#cancelReason && res.status === 487) return h.end(this.#cancelReason, { byRemote: false, sipStatus: 487 });
    h.end(outcomeForStatus(res.status), { byRemote: true, sipStatus: res.status, detail: res.reason });
  }

  #onProvisional(res: SipResponse): void {
    const h = this.#host;
    this.#provisional = true;
    if (this.#cancelReason && !this.#cancelSent) return this.#sendCancel();
    if (res.status === 100) return;
    if (res.body.length > 0 && h.state() === 'calling') {
      const media = readAnswer(res.body.toString('utf8'));
      if (!isSdpError(media)) {
        h.applyMedia(media);
        h.setState('early');
        h.events.emit('ringing');
        h.events.emit('earlyMedia');
        return;
      }
    }
    if (h.state() === 'calling') {
      h.setState('early');
      h.events.emit('ringing');
    }
  }

  #resendWithAuth(status: number, challenge: NonNullable<ReturnType<typeof parseDigestChallenge>>): void {
    const prev = this.#invite!;
    const value = buildDigestAuthorization(
      challenge,
      this.dial.credentials!,
      'INVITE',
      prev.uri,
      this.#host.ua.ids.token('', 8),
    );
    this.#credentialsSent = true;
    this.#invite = withAuthorization(prev, status === 401 ? 'Authorization' : 'Proxy-Authorization', value);
    this.#sendInvite();
  }

  #onAnswered(res: SipResponse): void {
    const h = this.#host;
    const dialog = Dialog.fromUac(this.#invite!, res);
    if (!dialog)
      return h.end('provider_error', { byRemote: false, sipStatus: res.status, detail: '2xx without To tag' });
    h.setDialog(dialog);
    h.timers.stop('ring');
    h.timers.stop('cancel');
    this.#ack = dialog.createRequest(
      'ACK',
      [['Contact', h.ua.contact(h.transport)]],
      Buffer.alloc(0),
      cseqNumber(this.#invite!),
    );
    h.ua.sendRaw(this.#ack, h.dest());
    if (this.#cancelReason) {
      // The answer crossed our CANCEL: end the call properly.
      h.setState('answered');
      void h.sendBye();
      return h.end(this.#cancelReason, { byRemote: false, sipStatus: res.status });
    }
    const media = readAnswer(res.body.toString('utf8'));
    if (isSdpError(media)) {
      void h.sendBye();
      return h.end('provider_error', {
        byRemote: false,
        sipStatus: 488,
        detail: `unusable SDP answer: ${media.error}`,
      });
    }
    h.applyMedia(media);
    h.setState('answered');
    h.events.emit('answered');
  }

  /** A retransmitted 2xx after the INVITE transaction ended: our ACK got lost, resend it. */
  onStraySuccess(res: SipResponse): void {
    if (this.#ack) this.#host.ua.sendRaw(this.#ack, this.#host.dest());
    else if (this.#host.isEnded()) this.#ackAndBye(res);
  }

  #ackAndBye(res: SipResponse): void {
    const ua = this.#host.ua;
    const d = Dialog.fromUac(this.#invite!, res);
    if (!d) return;
    const dest = ua.remoteFor(d.nextHopUri(), this.#host.transport);
    ua.sendRaw(d.createRequest('ACK', [], Buffer.alloc(0), cseqNumber(this.#invite!)), dest);
    ua.sendRequest(d.createRequest('BYE'), dest, { onResponse: () => undefined, onTimeout: () => undefined });
  }

  requestCancel(reason: CallOutcome): void {
    const h = this.#host;
    if (h.isEnded() || h.state() === 'answered' || this.#cancelReason) return;
    this.#cancelReason = reason;
    if (!this.#invite) return h.end(reason, { byRemote: false });
    if (this.#provisional) return this.#sendCancel();
    // Without a provisional response RFC 3261 §9.1 forbids CANCEL. Our own hang-up ends the leg now
    // (the CANCEL follows the first provisional); a ring timeout waits for a provisional or Timer B.
    if (reason === 'canceled') h.end('canceled', { byRemote: false, detail: 'hung up before the trunk answered' });
  }

  #sendCancel(guard = true): void {
    const h = this.#host;
    this.#cancelSent = true;
    h.ua.sendRequest(buildCancel(this.#invite!), h.ua.remoteFor(this.dial.target, h.transport), {
      onResponse: () => undefined,
      onTimeout: () => undefined,
    });
    // If no final response arrives within 64*T1 the leg ends anyway (RFC 3261 §9.1).
    if (guard)
      h.timers.start('cancel', 64 * h.ua.timers.t1Ms, () =>
        h.end(this.#cancelReason ?? 'canceled', { byRemote: false }),
      );
  }
}
