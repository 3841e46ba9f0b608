import { TypedEmitter } from '../../shared/typed-emitter';
import { Dialog } from './dialog';
import { InviteSession } from './invite-session';
import type { SipRequest } from './message';
import { parseNameAddr } from './name-addr';
import type { ServerTransaction } from './transaction/server-transaction';
import type { RemoteAddress } from './transport/sip-transport';
import { parseSipUri } from './uri';
import type { UserAgentServices } from './user-agent-services';

export interface IncomingInviteEvents {
  /** The caller sent CANCEL before we answered: 487 already sent. */
  canceled: () => void;
}

export type IncomingInviteState = 'pending' | 'accepted' | 'rejected' | 'canceled';

/**
 * A new inbound INVITE (RFC 3261 §13.3), as the user agent core hands it to its delegate: the
 * 100 Trying is sent; the owner rings, accepts (→ InviteSession) or rejects it. SDP is opaque.
 */
export class IncomingInvite {
  readonly request: SipRequest;
  readonly callId: string;
  readonly requestUri: string;
  readonly fromUser: string | undefined;
  readonly toUser: string | undefined;
  /** Where the INVITE really came from (transport, address and port of the packet or connection). */
  readonly source: RemoteAddress;
  /** Where responses and our in-dialog requests go (source address + rport, RFC 3581). */
  readonly remote: RemoteAddress;
  /** Our To tag for every response to this INVITE. */
  readonly localTag: string;
  readonly #core: UserAgentServices;
  readonly #tx: ServerTransaction;
  readonly #events: TypedEmitter<IncomingInviteEvents>;
  #state: IncomingInviteState = 'pending';

  constructor(
    core: UserAgentServices,
    o: { request: SipRequest; tx: ServerTransaction; source: RemoteAddress; remote: RemoteAddress },
  ) {
    this.#core = core;
    this.#tx = o.tx;
    this.request = o.request;
    this.source = o.source;
    this.remote = o.remote;
    this.requestUri = o.request.uri;
    this.callId = o.request.headers.get('Call-ID') ?? '';
    this.fromUser = printable(parseSipUri(parseNameAddr(o.request.headers.get('From') ?? '')?.uri ?? '')?.user);
    this.toUser = printable(
      parseSipUri(parseNameAddr(o.request.headers.get('To') ?? '')?.uri ?? '')?.user ??
        parseSipUri(o.request.uri)?.user,
    );
    this.localTag = core.newTag();
    this.#events = new TypedEmitter((err) => core.log?.error({ err }, 'incoming INVITE listener failed'));
  }

  on<K extends keyof IncomingInviteEvents>(event: K, listener: IncomingInviteEvents[K]): this {
    this.#events.on(event, listener);
    return this;
  }

  get state(): IncomingInviteState {
    return this.#state;
  }

  /** 180 Ringing (while pending). */
  ring(): void {
    if (this.#state !== 'pending') return;
    this.#tx.respond(
      this.#core.buildResponse(this.request, 180, {
        toTag: this.localTag,
        headers: [['Contact', this.#core.contact(this.remote.transport)]],
      }),
    );
  }

  /**
   * 200 with `body` (retransmitted until the ACK) → the session. Null when the INVITE cannot
   * make a dialog (no Contact or From tag): it is answered 400 instead.
   */
  accept(body: Buffer): InviteSession | null {
    if (this.#state !== 'pending') return null;
    const dialog = Dialog.fromUas(this.request, this.localTag, 1);
    if (!dialog) {
      this.reject(400, 'Missing Contact or From tag');
      return null;
    }
    this.#state = 'accepted';
    const session = new InviteSession(this.#core, { dialog, transport: this.remote.transport, peer: this.remote });
    session.sendSuccess(this.#tx, this.request, body);
    return session;
  }

  /** A final non-2xx answer; `headers` e.g. WWW-Authenticate on a 401 challenge, Retry-After on a 503 while draining. */
  reject(status: number, reason?: string, headers?: Array<[string, string]>): void {
    if (this.#state !== 'pending') return;
    this.#state = 'rejected';
    this.#tx.respond(
      this.#core.buildResponse(this.request, status, {
        toTag: this.localTag,
        ...(reason ? { reason } : {}),
        ...(headers ? { headers } : {}),
      }),
    );
  }

  /** From the core: a CANCEL matched our transaction (200 to it is already sent; RFC 3261 §9.2). */
  receiveCancel(): void {
    if (this.#state !== 'pending') return;
    this.#state = 'canceled';
    this.#tx.respond(this.#core.buildResponse(this.request, 487, { toTag: this.localTag }));
    this.#events.emit('canceled');
  }
}

/** A URI user part without control characters (`%00` is valid SIP, RFC 4475 §3.1.1.4, but no phone number and no database text). */
function printable(user: string | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex
  const clean = user?.replace(/[\u0000-\u001f\u007f]/g, '');
  return clean === '' ? undefined : clean;
}
