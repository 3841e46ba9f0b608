import { cryptoIds, type IdGenerator } from '../../shared/ids';
import type { Logger } from '../../shared/log';
import { systemTimers, type Timers } from '../../shared/timers';
import { ALLOWED_METHODS } from './allowed-methods';
import { DialogRegistry } from './dialog-registry';
import { SipHeaders } from './headers';
import { IncomingInvite } from './incoming-invite';
import { InviteClient, type InviteClientOptions } from './invite-client';
import { REASON_PHRASES, type SipMessage, type SipRequest, type SipResponse } from './message';
import { parseNameAddr, tagOf } from './name-addr';
import { sendOutOfDialogRequest, type OutOfDialogRequest, type RequestResult } from './out-of-dialog-request';
import { unsupportedRequest } from './request-checks';
import type { SipLimits } from './sip-limits';
import type { ClientTransaction } from './transaction/client-transaction';
import type { ServerTransaction } from './transaction/server-transaction';
import { DEFAULT_SIP_TIMERS, type SipTimerConfig } from './transaction/sip-timers';
import { TransactionLayer, type ClientTransactionHandlers } from './transaction/transaction-layer';
import type { RemoteAddress, SipTransportKind } from './transport/sip-transport';
import { remoteForUri, responseDestination, TransportLayer } from './transport/transport-layer';
import type { ResponseOptions, UserAgentServices } from './user-agent-services';
import { BRANCH_MAGIC } from './via';

/*
 * Our SIP stack, in layers (after SIP.js and sipgo). Lower layers never import upper ones;
 * nothing in sip/ knows SDP, RTP or call legs (those are telephony/call/).
 *
 *   telephony/call/   CallAgent (dial, incomingCall, RTP defaults) ── CallLeg (SDP + RtpSession)
 *  ───────────────────────────────────────────────────────────────────────────────────────────
 *   usages            InviteClient (UAC §13.2)   IncomingInvite (UAS §13.3)   InviteSession (§12-15)
 *                          │ core.invite()            │ delegate.onInvite()        │ dialogs.add()
 *   UA core           UserAgentCore: Via/Contact, out-of-dialog answers (OPTIONS 200, 405, 481,
 *   (this file)       501; 416/420/415/406 from request-checks.ts), CANCEL (§9.2), dialog registry routing (in-dialog requests, 2xx ACKs,
 *                     stray 2xx), one-off requests with digest (out-of-dialog-request.ts)
 *   transactions      TransactionLayer: client/server tables + matching (transaction-keys.ts),
 *                     ClientTransaction (§17.1 A,B,D / E,F,K), ServerTransaction (§17.2 G,H,I,J; 6026 L)
 *   transport         TransportLayer (§18: parse, received/rport, response routing) over injected
 *                     SipTransport adapters: UdpTransport, TcpTransport, testing/FakeTransport
 *
 * Inbound: TransportLayer → core.onRequest/onResponse → TransactionLayer (retransmissions absorbed)
 * → new INVITE to the delegate, in-dialog requests to the DialogRegistry, the rest answered here.
 */

export interface UserAgentCoreDelegate {
  /** A new INVITE outside any dialog; 100 Trying is already sent. Without a delegate: 480. */
  onInvite(invite: IncomingInvite): void;
}

export interface UserAgentCoreOptions {
  /** Ready-made transport layer (real sockets: TransportLayer.bind; tests: testing/transport-fake.ts). */
  transport: TransportLayer;
  /** Address (and optional port) written into Via/Contact; defaults to the transport's local address. */
  publicAddress?: string | undefined;
  /** T1/T2/T4 of this user agent. */
  sipTimers?: Partial<SipTimerConfig> | undefined;
  timers?: Timers | undefined;
  ids?: IdGenerator | undefined;
  log?: Logger | undefined;
  userAgentName?: string | undefined;
  /** Limits against hostile peers (defaults: sip-limits.ts; config SIP_TCP_*, SIP_MAX_TRANSACTION_BYTES_PER_SOURCE). */
  limits?: Partial<SipLimits> | undefined;
  /**
   * Admission of a new request that belongs to no transaction and no live dialog (the traffic
   * anyone can send unauthenticated): false drops it silently, before any transaction state
   * exists. The per-source token bucket (source-rate-limiter.ts) is plugged in here.
   */
  admitRequest?: ((req: SipRequest, source: RemoteAddress) => boolean) | undefined;
}

export type { RequestResult } from './out-of-dialog-request';

const KNOWN_NOT_ALLOWED = new Set(['REGISTER', 'SUBSCRIBE', 'PUBLISH', 'MESSAGE', 'PRACK', 'UPDATE']);
const DIALOG_ONLY = new Set(['BYE', 'INFO', 'NOTIFY', 'REFER']);

/** The SIP user agent core (RFC 3261 §8, §12, §17, §18 composed): transport + transactions + routing. */
export class UserAgentCore implements UserAgentServices {
  readonly sipTimers: SipTimerConfig;
  readonly timers: Timers;
  readonly ids: IdGenerator;
  readonly log: Logger | undefined;
  readonly userAgentName: string;
  /** Address (and optional port) written into Via/Contact. */
  readonly publicHost: string;
  readonly dialogs = new DialogRegistry();
  /** Receives new INVITEs; set by the owner (the CallAgent once someone listens for calls). */
  delegate: UserAgentCoreDelegate | undefined;
  readonly #transport: TransportLayer;
  readonly #transactions: TransactionLayer;
  readonly #admitRequest: UserAgentCoreOptions['admitRequest'];
  /** INVITEs handed to the delegate, by their server transaction: where a matching CANCEL goes. */
  readonly #invites = new WeakMap<ServerTransaction, IncomingInvite>();
  #closed = false;

  constructor(o: UserAgentCoreOptions) {
    this.sipTimers = { ...DEFAULT_SIP_TIMERS, ...o.sipTimers };
    this.timers = o.timers ?? systemTimers;
    this.ids = o.ids ?? cryptoIds;
    this.log = o.log;
    this.userAgentName = o.userAgentName ?? 'ThunderPhone';
    this.#transport = o.transport;
    this.#admitRequest = o.admitRequest;
    this.publicHost = o.publicAddress ?? o.transport.localAddress;
    this.#transactions = new TransactionLayer({
      transport: o.transport,
      send: (msg, remote) => this.#send(msg, remote),
      sipTimers: this.sipTimers,
      timers: this.timers,
      log: o.log,
      maxBytesPerSource: o.limits?.maxTransactionBytesPerSource,
    });
    o.transport.attach({
      onRequest: (req, src) => this.#onRequest(req, src),
      onResponse: (res) => this.#onResponse(res),
      onTransportError: (remote, reason) => this.#onTransportError(remote, reason),
    });
  }

  /** Binds real sockets (UDP and TCP on one port by default; 0 picks a free one) and builds the core. */
  static async start(
    o: Omit<UserAgentCoreOptions, 'transport'> & { bindAddress: string; port: number; transports?: SipTransportKind[] },
  ): Promise<UserAgentCore> {
    const transport = await TransportLayer.bind({
      bindAddress: o.bindAddress,
      port: o.port,
      ...(o.transports ? { kinds: o.transports } : {}),
      log: o.log,
      limits: o.limits,
    });
    return new UserAgentCore({ ...o, transport });
  }

  get port(): number {
    return this.#transport.localPort;
  }

  /** Server transactions alive now (diagnostics, tests: state drains after 64·T1). */
  get serverTransactionCount(): number {
    return this.#transactions.serverCount;
  }

  /** The public address without port or brackets (for SDP c=/o=). */
  get publicIp(): string {
    const h = this.publicHost;
    const v6 = /^\[(.*)\](?::\d+)?$/.exec(h);
    if (v6) return v6[1] ?? h;
    return /^[^:]+:\d+$/.test(h) ? h.replace(/:\d+$/, '') : h;
  }

  get publicUriHost(): string {
    const ip = this.publicIp;
    return ip.includes(':') ? `[${ip}]` : ip;
  }

  /** A new outbound INVITE (not sent until `start(offer)`). */
  invite(options: InviteClientOptions): InviteClient {
    return new InviteClient(this, options, { callId: this.newCallId(), localTag: this.newTag() });
  }

  /** Sends OPTIONS; any response means the peer is reachable. */
  async options(target: string, transport?: SipTransportKind, callId?: string): Promise<RequestResult> {
    return this.request({ method: 'OPTIONS', target, transport, ...(callId ? { callId } : {}) });
  }

  /** A one-off out-of-dialog non-INVITE request, answering one digest challenge if credentials are given. */
  async request(o: OutOfDialogRequest): Promise<RequestResult> {
    return sendOutOfDialogRequest(this, o);
  }

  /** Ends every transaction and closes the transports (call legs are the CallAgent's to end first). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#transactions.dispose();
    await this.#transport.close();
  }

  // ---- services for the usages (UserAgentServices) ----

  newTag(): string {
    return this.ids.token('', 6);
  }

  newCallId(): string {
    return `${this.ids.token('', 12)}@${this.publicUriHost}`;
  }

  contact(transport: SipTransportKind, user = 'thunderphone'): string {
    const t = transport === 'tcp' ? ';transport=tcp' : '';
    return `<sip:${user}@${this.#sentBy()}${t}>`;
  }

  remoteFor(target: string, transport: SipTransportKind): RemoteAddress {
    return remoteForUri(target, transport);
  }

  sendRequest(req: SipRequest, remote: RemoteAddress, h: ClientTransactionHandlers): ClientTransaction {
    this.#addVia(req, remote);
    return this.#transactions.sendRequest(req, remote, h);
  }

  sendStateless(msg: SipMessage, remote: RemoteAddress): void {
    if (msg.kind === 'request') this.#addVia(msg, remote);
    this.#send(msg, remote);
  }

  buildResponse(req: SipRequest, status: number, opts: ResponseOptions = {}): SipResponse {
    const h = new SipHeaders();
    for (const v of req.headers.getAll('Via')) h.append('Via', v);
    h.append('From', req.headers.get('From') ?? '');
    let to = req.headers.get('To') ?? '';
    if (opts.toTag && status > 100 && !parseNameAddr(to)?.params.has('tag')) to += `;tag=${opts.toTag}`;
    h.append('To', to);
    h.append('Call-ID', req.headers.get('Call-ID') ?? '');
    h.append('CSeq', req.headers.get('CSeq') ?? '');
    h.append('Server', this.userAgentName);
    for (const [n, v] of opts.headers ?? []) h.append(n, v);
    return {
      kind: 'response',
      status,
      reason: opts.reason ?? REASON_PHRASES[status] ?? 'Unknown',
      headers: h,
      body: opts.body ?? Buffer.alloc(0),
    };
  }

  // ---- outbound plumbing ----

  /** host:port for Via/Contact: SIP_PUBLIC_ADDRESS may carry its own port (`203.0.113.5:5070`, `[2001:db8::1]:5070`). */
  #sentBy(): string {
    const h = this.publicHost;
    if (/^\[.*\]:\d+$/.test(h) || /^[^:]+:\d+$/.test(h)) return h;
    const host = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
    return `${host}:${this.port}`;
  }

  /** RFC 3261 §8.1.1.7 + RFC 3581: our Via with a fresh branch and rport, unless the request has one. */
  #addVia(req: SipRequest, remote: RemoteAddress): void {
    if (req.headers.has('Via')) return;
    req.headers.prepend(
      'Via',
      `SIP/2.0/${remote.transport.toUpperCase()} ${this.#sentBy()};branch=${BRANCH_MAGIC}${this.ids.token('', 8)};rport`,
    );
  }

  #send(msg: SipMessage, remote: RemoteAddress): void {
    if (msg.kind === 'request' && !msg.headers.has('User-Agent')) msg.headers.append('User-Agent', this.userAgentName);
    this.#transport.send(msg, remote);
  }

  // ---- inbound ----

  #onResponse(res: SipResponse): void {
    if (this.#transactions.receiveResponse(res)) return;
    const method = (res.headers.get('CSeq') ?? '').split(/\s+/)[1] ?? '';
    // A 2xx retransmission after the INVITE transaction ended: the dialog re-sends its ACK.
    if (method === 'INVITE' && res.status >= 200 && res.status < 300)
      this.dialogs.forResponse(res)?.onStraySuccess(res);
  }

  #onRequest(req: SipRequest, src: RemoteAddress): void {
    const dest = responseDestination(req, src);
    const existing = this.#transactions.findServer(req);
    if (req.method === 'ACK') {
      // A non-2xx ACK belongs to its INVITE transaction (§17.2.1); a 2xx ACK to the dialog (§13.3.1.4).
      if (existing && existing.state === 'completed') return void existing.receiveRequest(req);
      this.dialogs.forRequest(req)?.onAck(req);
      return;
    }
    if (existing) return void existing.receiveRequest(req);
    if (this.#admitRequest && !this.dialogs.forRequest(req) && !this.#admitRequest(req, src)) return;
    const tx = this.#transactions.createServer(req, dest);
    if (!tx) return; // the source is over its transaction budget
    const unsupported = unsupportedRequest(req);
    if (unsupported)
      return tx.respond(
        this.buildResponse(req, unsupported.status, { toTag: this.newTag(), headers: unsupported.headers }),
      );
    if (req.method === 'CANCEL') return this.#onCancel(req, tx);
    if (tagOf(req.headers.get('To')) !== undefined) {
      const dialog = this.dialogs.forRequest(req);
      if (!dialog) return tx.respond(this.buildResponse(req, 481));
      return dialog.onRequest(req, tx);
    }
    switch (req.method) {
      case 'INVITE':
        return this.#onInvite(req, tx, src, dest);
      case 'OPTIONS':
        return tx.respond(
          this.buildResponse(req, 200, {
            toTag: this.newTag(),
            headers: [
              ['Allow', ALLOWED_METHODS],
              ['Accept', 'application/sdp'],
            ],
          }),
        );
      default:
        if (KNOWN_NOT_ALLOWED.has(req.method))
          return tx.respond(
            this.buildResponse(req, 405, { toTag: this.newTag(), headers: [['Allow', ALLOWED_METHODS]] }),
          );
        if (DIALOG_ONLY.has(req.method)) return tx.respond(this.buildResponse(req, 481));
        return tx.respond(this.buildResponse(req, 501, { toTag: this.newTag() }));
    }
  }

  #onInvite(req: SipRequest, tx: ServerTransaction, source: RemoteAddress, remote: RemoteAddress): void {
    tx.respond(this.buildResponse(req, 100));
    const delegate = this.delegate;
    if (!delegate) return tx.respond(this.buildResponse(req, 480, { toTag: this.newTag() }));
    const invite = new IncomingInvite(this, { request: req, tx, source, remote });
    this.#invites.set(tx, invite);
    try {
      delegate.onInvite(invite);
    } catch (err) {
      this.log?.error({ err }, 'incoming INVITE delegate failed');
    }
  }

  /** RFC 3261 §9.2: 200 to a CANCEL that matches a pending INVITE (which its owner then answers 487), else 481. */
  #onCancel(cancel: SipRequest, tx: ServerTransaction): void {
    const inviteTx = this.#transactions.findInviteForCancel(cancel);
    if (!inviteTx || inviteTx.state !== 'proceeding') return tx.respond(this.buildResponse(cancel, 481));
    tx.respond(this.buildResponse(cancel, 200));
    this.#invites.get(inviteTx)?.receiveCancel();
  }

  #onTransportError(remote: RemoteAddress, reason: string): void {
    this.log?.debug({ remote: `${remote.transport}:${remote.address}:${remote.port}`, reason }, 'SIP transport error');
    this.#transactions.transportError(remote);
  }
}
