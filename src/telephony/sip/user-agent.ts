import type { Logger } from '../../shared/log';
import { cryptoIds, type IdGenerator } from '../../shared/ids';
import type { RtpPortPool } from '../rtp/port-pool';
import type { G711Codec } from '../../audio/g711';
import { SipHeaders } from './headers';
import { REASON_PHRASES, serializeMessage, type SipMessage, type SipRequest, type SipResponse } from './message';
import { parseMessage } from './parse-message';
import { parseSipUri } from './uri';
import { BRANCH_MAGIC, formatVia, parseVia } from './via';
import { ClientTransaction } from './transaction/client-transaction';
import { ServerTransaction } from './transaction/server-transaction';
import { DEFAULT_SIP_TIMERS, realTimers, type SipTimerConfig, type TimerHost } from './transaction/timer-host';
import { UdpTransport } from './transport/udp-transport';
import { TcpTransport } from './transport/tcp-transport';
import type { RemoteAddress, SipTransport, SipTransportKind } from './transport/sip-transport';
import { buildDigestAuthorization, parseDigestChallenge, type DigestCredentials } from './digest';
import { parseNameAddr } from './name-addr';
import { TypedEvents } from '../rtp/typed-events';
import { ALLOWED_METHODS } from './allowed-methods';
import { CallLeg } from '../call/call-leg';
import type { DialOptions } from '../call/call-leg-types';
import { IncomingCall } from '../call/incoming-call';

export interface UaMediaDefaults {
  pool: RtpPortPool;
  /** Address RTP sockets bind to. */
  bindAddress: string;
  /** Address written into SDP (defaults to the UA's public address). */
  sdpAddress?: string;
  codecs?: G711Codec[];
  mediaTimeoutMs?: number;
}

export interface SipUserAgentOptions {
  bindAddress: string;
  /** 0 picks a free port (UDP and TCP then share it). */
  port: number;
  /** Address (and optional port) written into Via/Contact/SDP; defaults to bindAddress. */
  publicAddress?: string;
  transports?: SipTransportKind[];
  timers?: Partial<SipTimerConfig>;
  timerHost?: TimerHost;
  media: UaMediaDefaults;
  ids?: IdGenerator;
  log?: Logger;
  userAgentName?: string;
}

const KNOWN_NOT_ALLOWED = new Set(['REGISTER', 'SUBSCRIBE', 'PUBLISH', 'MESSAGE', 'PRACK', 'UPDATE']);

export type RequestResult = { response: SipResponse } | { timeout: true } | { error: string };

interface UaEvents {
  incomingCall: (call: IncomingCall) => void;
}

/** Our SIP user agent: transports, the transaction layer, and routing of dialog requests to call legs. */
export class SipUserAgent {
  readonly timers: SipTimerConfig;
  readonly timerHost: TimerHost;
  readonly ids: IdGenerator;
  readonly media: UaMediaDefaults;
  readonly publicHost: string;
  readonly userAgentName: string;
  readonly log: Logger | undefined;
  readonly #transports = new Map<SipTransportKind, SipTransport>();
  readonly #clientTx = new Map<string, ClientTransaction>();
  readonly #txRemote = new WeakMap<ClientTransaction, RemoteAddress>();
  readonly #serverTx = new Map<string, ServerTransaction>();
  readonly #legs = new Map<string, CallLeg>();
  readonly #events = new TypedEvents<UaEvents>((err) => this.log?.error({ err }, 'incomingCall listener failed'));
  #closed = false;
  #acceptsCalls = false;

  private constructor(o: SipUserAgentOptions) {
    this.timers = { ...DEFAULT_SIP_TIMERS, ...o.timers };
    this.timerHost = o.timerHost ?? realTimers;
    this.ids = o.ids ?? cryptoIds;
    this.media = o.media;
    this.publicHost = o.publicAddress ?? o.bindAddress;
    this.userAgentName = o.userAgentName ?? 'ThunderPhone';
    this.log = o.log;
  }

  static async start(o: SipUserAgentOptions): Promise<SipUserAgent> {
    const ua = new SipUserAgent(o);
    const kinds = o.transports ?? ['udp', 'tcp'];
    const handlers = {
      onData: (d: Buffer, r: RemoteAddress) => ua.#onData(d, r),
      onError: (r: RemoteAddress, reason: string) => ua.#onTransportError(r, reason),
    };
    for (let attempt = 0; ; attempt++) {
      let port = o.port;
      try {
        for (const kind of kinds) {
          const t =
            kind === 'udp'
              ? await UdpTransport.bind(o.bindAddress, port, handlers)
              : await TcpTransport.listen(o.bindAddress, port, handlers);
          ua.#transports.set(kind, t);
          port = t.localPort;
        }
        return ua;
      } catch (err) {
        for (const t of ua.#transports.values()) await t.close();
        ua.#transports.clear();
        if (o.port !== 0 || attempt >= 5) throw err;
      }
    }
  }

  /** The public address without port or brackets (for SDP c=/o=). */
  get publicIp(): string {
    const h = this.publicHost;
    const v6 = /^\[(.*)\](?::\d+)?$/.exec(h);
    if (v6) return v6[1] ?? h;
    return /^[^:]+:\d+$/.test(h) ? h.replace(/:\d+$/, '') : h;
  }

  /** The public host as written in a SIP URI (IPv6 in brackets, no port). */
  get publicUriHost(): string {
    const ip = this.publicIp;
    return ip.includes(':') ? `[${ip}]` : ip;
  }

  get port(): number {
    return [...this.#transports.values()][0]?.localPort ?? 0;
  }

  /** `incomingCall`: without a listener inbound INVITEs are answered 480. */
  on<K extends keyof UaEvents>(event: K, listener: UaEvents[K]): void {
    if (event === 'incomingCall') this.#acceptsCalls = true;
    this.#events.on(event, listener);
  }

  /** Starts an outbound call leg. */
  dial(opts: DialOptions): CallLeg {
    return CallLeg.dial(this, opts);
  }

  /** Sends OPTIONS; any response means the peer is reachable. */
  async options(target: string, transport?: SipTransportKind, callId?: string): Promise<RequestResult> {
    return this.request({ method: 'OPTIONS', target, transport, ...(callId ? { callId } : {}) });
  }

  /** A one-off out-of-dialog non-INVITE request, answering one digest challenge if credentials are given. */
  async request(o: {
    method: string;
    target: string;
    transport?: SipTransportKind | undefined;
    fromUser?: string;
    headers?: Array<[string, string]>;
    credentials?: DigestCredentials | undefined;
    toUri?: string;
    callId?: string;
    cseq?: number;
  }): Promise<RequestResult> {
    const uri = parseSipUri(o.target);
    if (!uri) return { error: `invalid SIP URI ${o.target}` };
    const transport = o.transport ?? (uri.params.get('transport') === 'tcp' ? 'tcp' : 'udp');
    const callId = o.callId ?? this.newCallId();
    const from = `<sip:${o.fromUser ?? 'thunderphone'}@${this.publicUriHost}>;tag=${this.newTag()}`;
    const to = `<${o.toUri ?? o.target}>`;
    let cseq = o.cseq ?? 1;
    let auth: [string, string] | undefined;
    for (let round = 0; round < 2; round++) {
      const h: Array<[string, string]> = [
        ['Max-Forwards', '70'],
        ['From', from],
        ['To', to],
        ['Call-ID', callId],
        ['CSeq', `${cseq} ${o.method}`],
        ['Contact', this.contact(transport, o.fromUser)],
        ['User-Agent', this.userAgentName],
        ...(o.headers ?? []),
      ];
      if (auth) h.push(auth);
      const req: SipRequest = {
        kind: 'request',
        method: o.method,
        uri: o.target,
        headers: SipHeaders.from(h),
        body: Buffer.alloc(0),
      };
      const result = await new Promise<RequestResult>((resolve) => {
        this.sendRequest(req, this.remoteFor(o.target, transport), {
          onResponse: (res) => res.status >= 200 && resolve({ response: res }),
          onTimeout: () => resolve({ timeout: true }),
        });
      });
      if (!('response' in result)) return result;
      const res = result.response;
      if ((res.status === 401 || res.status === 407) && o.credentials && round === 0) {
        const challenge = parseDigestChallenge(
          res.headers.get(res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate') ?? '',
        );
        if (!challenge) return result;
        auth = [
          res.status === 401 ? 'Authorization' : 'Proxy-Authorization',
          buildDigestAuthorization(challenge, o.credentials, o.method, o.target, this.ids.token('', 8)),
        ];
        cseq += 1;
        continue;
      }
      return result;
    }
    return { error: 'unreachable' };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#legs.values()].map((leg) => leg.shutdown()));
    for (const tx of this.#clientTx.values()) tx.dispose();
    for (const tx of this.#serverTx.values()) tx.dispose();
    for (const t of this.#transports.values()) await t.close();
  }

  // ---- internal API used by call legs ----

  newBranch(): string {
    return BRANCH_MAGIC + this.ids.token('', 8);
  }

  newTag(): string {
    return this.ids.token('', 6);
  }

  newCallId(): string {
    return `${this.ids.token('', 12)}@${this.publicUriHost}`;
  }

  hasTransport(kind: SipTransportKind): boolean {
    return this.#transports.has(kind);
  }

  contact(transport: SipTransportKind, user = 'thunderphone'): string {
    const t = transport === 'tcp' ? ';transport=tcp' : '';
    return `<sip:${user}@${this.#sentBy()}${t}>`;
  }

  /** host:port for Via/Contact: SIP_PUBLIC_ADDRESS may carry its own port (`203.0.113.5:5070`, `[2001:db8::1]:5070`). */
  #sentBy(): string {
    const h = this.publicHost;
    if (/^\[.*\]:\d+$/.test(h) || /^[^:]+:\d+$/.test(h)) return h;
    const host = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
    return `${host}:${this.port}`;
  }

  /** Resolves a SIP URI to a transport destination (no DNS SRV: host:port, default 5060). */
  remoteFor(target: string, transport: SipTransportKind): RemoteAddress {
    const uri = parseSipUri(target);
    return { transport, address: uri?.host.replace(/^\[|\]$/g, '') ?? '', port: uri?.port ?? 5060 };
  }

  registerLeg(key: string, leg: CallLeg): void {
    this.#legs.set(key, leg);
  }

  unregisterLeg(key: string): void {
    this.#legs.delete(key);
  }

  /** Sends a request in a new client transaction; adds our Via unless one is present (CANCEL). */
  sendRequest(
    req: SipRequest,
    remote: RemoteAddress,
    h: { onResponse: (res: SipResponse) => void; onTimeout: () => void },
  ): ClientTransaction {
    if (!req.headers.has('Via')) {
      req.headers.prepend(
        'Via',
        `SIP/2.0/${remote.transport.toUpperCase()} ${this.#sentBy()};branch=${this.newBranch()};rport`,
      );
    }
    const branch = parseVia(req.headers.get('Via') ?? '')?.params.get('branch') ?? '';
    const key = `${branch}|${req.method}`;
    const transport = this.#transports.get(remote.transport);
    const tx: ClientTransaction = new ClientTransaction({
      request: req,
      reliable: transport?.reliable ?? false,
      timers: this.timers,
      host: this.timerHost,
      send: (m) => this.sendRaw(m, remote),
      onResponse: h.onResponse,
      onTimeout: h.onTimeout,
      onTerminated: () => {
        if (this.#clientTx.get(key) === tx) this.#clientTx.delete(key);
      },
    });
    this.#clientTx.set(key, tx);
    this.#txRemote.set(tx, remote);
    if (!transport) {
      this.timerHost.set(0, () => tx.transportError());
      return tx;
    }
    tx.start();
    return tx;
  }

  /** Sends without a transaction (ACK for 2xx, 2xx retransmissions). */
  sendRaw(msg: SipMessage, remote: RemoteAddress): void {
    const t = this.#transports.get(remote.transport);
    if (!t) return;
    if (msg.kind === 'request' && !msg.headers.has('Via')) {
      msg.headers.prepend(
        'Via',
        `SIP/2.0/${remote.transport.toUpperCase()} ${this.#sentBy()};branch=${this.newBranch()};rport`,
      );
    }
    if (!msg.headers.has('User-Agent') && msg.kind === 'request') msg.headers.append('User-Agent', this.userAgentName);
    t.send(serializeMessage(msg), remote);
  }

  /** Builds a response to `req` (Via/From/To/Call-ID/CSeq copied; To tag added when given). */
  buildResponse(
    req: SipRequest,
    status: number,
    opts: { toTag?: string | undefined; headers?: Array<[string, string]>; body?: Buffer; reason?: string } = {},
  ): SipResponse {
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

  /** Where responses to `req` go: the source address (received) and rport or Via port. */
  responseDestination(req: SipRequest, src: RemoteAddress): RemoteAddress {
    const via = parseVia(req.headers.get('Via') ?? '');
    if (src.transport === 'tcp' || !via) return src;
    const rport = via.params.get('rport');
    return { transport: src.transport, address: src.address, port: rport ? Number(rport) : (via.port ?? 5060) };
  }

  // ---- inbound ----

  #onData(data: Buffer, src: RemoteAddress): void {
    const parsed = parseMessage(data);
    if (!parsed.ok) {
      this.log?.debug({ reason: parsed.reason, from: `${src.address}:${src.port}` }, 'dropped malformed SIP message');
      return;
    }
    const msg = parsed.message;
    if (msg.kind === 'response') this.#onResponse(msg);
    else this.#onRequest(msg, src);
  }

  #onResponse(res: SipResponse): void {
    const via = parseVia(res.headers.get('Via') ?? '');
    const branch = via?.params.get('branch') ?? '';
    const method = (res.headers.get('CSeq') ?? '').split(/\s+/)[1] ?? '';
    const tx = this.#clientTx.get(`${branch}|${method}`);
    if (tx) return tx.receive(res);
    if (method === 'INVITE' && res.status >= 200 && res.status < 300) {
      // A 2xx retransmission after the transaction ended: the leg re-sends its ACK.
      const tag = parseNameAddr(res.headers.get('From') ?? '')?.params.get('tag') ?? '';
      this.#legs.get(`${res.headers.get('Call-ID') ?? ''}|${tag}`)?.onStraySuccess(res);
    }
  }

  #onRequest(req: SipRequest, src: RemoteAddress): void {
    const topVia = req.headers.getAll('Via')[0] ?? '';
    const via = parseVia(topVia);
    if (!via) return;
    if (via.params.has('rport') || via.host !== src.address) {
      // RFC 3581 / RFC 3261 §18.2.1: record where the request really came from.
      via.params.set('received', src.address);
      if (via.params.has('rport')) via.params.set('rport', String(src.port));
      const rest = req.headers.getAll('Via').slice(1);
      req.headers.remove('Via');
      req.headers.append('Via', formatVia(via));
      for (const v of rest) req.headers.append('Via', v);
    }
    const branch = via.params.get('branch') ?? '';
    const dest = this.responseDestination(req, src);
    const key = `${branch}|${req.method === 'ACK' ? 'INVITE' : req.method}`;
    const existing = this.#serverTx.get(key);
    if (req.method === 'ACK') {
      if (existing && existing.state === 'completed') return void existing.receiveRequest(req);
      const toTag = parseNameAddr(req.headers.get('To') ?? '')?.params.get('tag') ?? '';
      this.#legs.get(`${req.headers.get('Call-ID') ?? ''}|${toTag}`)?.onAck(req);
      return;
    }
    if (existing) return void existing.receiveRequest(req);
    const tx = this.createServerTx(req, dest, key);
    if (req.method === 'CANCEL') {
      const invite = this.#serverTx.get(`${branch}|INVITE`);
      const toTagless = parseNameAddr(req.headers.get('From') ?? '')?.params.get('tag') ?? '';
      if (!invite || invite.state !== 'proceeding') return tx.respond(this.buildResponse(req, 481));
      tx.respond(this.buildResponse(req, 200));
      this.#legs.get(`${req.headers.get('Call-ID') ?? ''}|cancel:${toTagless}`)?.onCancel();
      return;
    }
    const toTag = parseNameAddr(req.headers.get('To') ?? '')?.params.get('tag');
    if (toTag) {
      const leg = this.#legs.get(`${req.headers.get('Call-ID') ?? ''}|${toTag}`);
      if (!leg) return tx.respond(this.buildResponse(req, 481));
      return leg.onRequest(req, tx);
    }
    switch (req.method) {
      case 'INVITE':
        tx.respond(this.buildResponse(req, 100));
        if (!this.#acceptsCalls) return tx.respond(this.buildResponse(req, 480, { toTag: this.newTag() }));
        this.#events.emit('incomingCall', new IncomingCall(this, req, tx, dest));
        return;
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
        if (['BYE', 'INFO', 'NOTIFY', 'REFER'].includes(req.method)) return tx.respond(this.buildResponse(req, 481));
        return tx.respond(this.buildResponse(req, 501, { toTag: this.newTag() }));
    }
  }

  createServerTx(req: SipRequest, dest: RemoteAddress, key: string): ServerTransaction {
    const transport = this.#transports.get(dest.transport);
    const tx: ServerTransaction = new ServerTransaction({
      request: req,
      reliable: transport?.reliable ?? false,
      timers: this.timers,
      host: this.timerHost,
      send: (res) => this.sendRaw(res, dest),
      onTimeout: () => this.log?.debug({ callId: req.headers.get('Call-ID') }, 'no ACK for final response'),
      onTerminated: () => {
        if (this.#serverTx.get(key) === tx) this.#serverTx.delete(key);
      },
    });
    this.#serverTx.set(key, tx);
    return tx;
  }

  #onTransportError(remote: RemoteAddress, reason: string): void {
    this.log?.debug({ remote: `${remote.transport}:${remote.address}:${remote.port}`, reason }, 'SIP transport error');
    for (const tx of [...this.#clientTx.values()]) {
      const r = this.#txRemote.get(tx);
      if (r && r.transport === remote.transport && r.port === remote.port) tx.transportError();
    }
  }
}
