import type { Logger } from '../../../shared/log';
import type { Timers } from '../../../shared/timers';
import { serializeMessage, type SipMessage, type SipRequest, type SipResponse } from '../message';
import { parseMessage } from '../parse-message';
import { rejectionResponse } from './rejection-response';
import { isRoutable } from './response-destination';
import { parseSipUri } from '../uri';
import { formatVia, parseVia } from '../via';

export { isRoutable, responseDestination } from './response-destination';
import type { RemoteAddress, SipTransport, SipTransportKind } from './sip-transport';
import { TcpTransport, type TcpLimits } from './tcp-transport';
import { UdpTransport } from './udp-transport';

/** Where the transport layer hands what it received (the user agent core). */
export interface TransportLayerReceiver {
  /** A parsed request whose top Via already carries `received`/`rport` (RFC 3261 §18.2.1, RFC 3581). */
  onRequest(req: SipRequest, source: RemoteAddress): void;
  onResponse(res: SipResponse, source: RemoteAddress): void;
  onTransportError(remote: RemoteAddress, reason: string): void;
}

/**
 * RFC 3261 §18: the SIP transport layer over one socket adapter per kind (UDP, TCP, or in-memory
 * fakes in tests). It turns bytes into messages and back: parses (a malformed request is answered
 * 400, an unsupported version 505, statelessly, when the answer can be routed; other junk is
 * dropped), records the request's real source in its top Via, and serializes what the layers
 * above send. Nothing from the network throws out of it: a message that cannot be routed is
 * dropped and logged, a failing receiver is logged. Built ready-made and injected into the user
 * agent core, which owns it from then on (the core's close() closes it).
 */
export class TransportLayer {
  /** The address the sockets are bound to (the default public address). */
  readonly localAddress: string;
  readonly #transports = new Map<SipTransportKind, SipTransport>();
  readonly #log: Logger | undefined;
  #receiver: TransportLayerReceiver | undefined;

  constructor(localAddress: string, transports: SipTransport[], log?: Logger) {
    this.localAddress = localAddress;
    this.#log = log;
    for (const t of transports) {
      this.#transports.set(t.kind, t);
      t.setHandlers({
        onData: (data, remote) => this.#onData(data, remote),
        onError: (remote, reason) => this.#receiver?.onTransportError(remote, reason),
      });
    }
  }

  /** Binds real sockets: every kind on the same port (0 picks a free one, retried if TCP finds it taken). */
  static async bind(o: {
    bindAddress: string;
    port: number;
    kinds?: SipTransportKind[];
    log?: Logger | undefined;
    /** TCP connection limits (defaults: sip-limits.ts). */
    limits?: Partial<TcpLimits> | undefined;
    timers?: Timers | undefined;
  }): Promise<TransportLayer> {
    const kinds = o.kinds ?? ['udp', 'tcp'];
    for (let attempt = 0; ; attempt++) {
      const bound: SipTransport[] = [];
      let port = o.port;
      try {
        for (const kind of kinds) {
          const t =
            kind === 'udp'
              ? await UdpTransport.bind(o.bindAddress, port)
              : await TcpTransport.listen(o.bindAddress, port, { limits: o.limits, timers: o.timers, log: o.log });
          bound.push(t);
          port = t.localPort;
        }
        return new TransportLayer(o.bindAddress, bound, o.log);
      } catch (err) {
        for (const t of bound) await t.close();
        if (o.port !== 0 || attempt >= 5) throw err;
      }
    }
  }

  /** Set once by the user agent core. */
  attach(receiver: TransportLayerReceiver): void {
    this.#receiver = receiver;
  }

  /** The port every transport listens on. */
  get localPort(): number {
    return [...this.#transports.values()][0]?.localPort ?? 0;
  }

  has(kind: SipTransportKind): boolean {
    return this.#transports.has(kind);
  }

  isReliable(kind: SipTransportKind): boolean {
    return this.#transports.get(kind)?.reliable ?? false;
  }

  /** Serializes and sends; false when there is no transport of that kind or `remote` is unroutable (logged). */
  send(msg: SipMessage, remote: RemoteAddress): boolean {
    const t = this.#transports.get(remote.transport);
    if (!t) return false;
    if (!isRoutable(remote)) {
      this.#log?.warn(
        { to: `${remote.address}:${remote.port}`, transport: remote.transport, ...describe(msg) },
        'dropped unroutable SIP message',
      );
      return false;
    }
    try {
      t.send(serializeMessage(msg), remote);
      return true;
    } catch (err) {
      this.#log?.warn({ err, to: `${remote.address}:${remote.port}`, ...describe(msg) }, 'SIP send failed');
      return false;
    }
  }

  async close(): Promise<void> {
    for (const t of this.#transports.values()) await t.close();
  }

  #onData(data: Buffer, src: RemoteAddress): void {
    try {
      this.#receive(data, src);
    } catch (err) {
      // The last line of defence: a bug above must not take the process (and every call) down.
      this.#log?.error({ err, from: `${src.transport}:${src.address}:${src.port}` }, 'SIP message handling failed');
    }
  }

  #receive(data: Buffer, src: RemoteAddress): void {
    const parsed = parseMessage(data);
    if (!parsed.ok) {
      const from = `${src.transport}:${src.address}:${src.port}`;
      if (!parsed.rejected)
        return void this.#log?.debug({ reason: parsed.reason, from }, 'dropped malformed SIP message');
      this.#log?.debug(
        { reason: parsed.reason, from, status: parsed.rejected.status },
        'rejected malformed SIP request',
      );
      const answer = rejectionResponse(parsed.rejected, parsed.reason, src);
      this.send(answer.response, answer.destination);
      return;
    }
    const msg = parsed.message;
    if (msg.kind === 'response') return this.#receiver?.onResponse(msg, src);
    if (!recordSource(msg, src)) return;
    this.#receiver?.onRequest(msg, src);
  }
}

function describe(msg: SipMessage): Record<string, string | number> {
  const cseq = msg.headers.get('CSeq') ?? '';
  return msg.kind === 'request' ? { method: msg.method, cseq } : { status: msg.status, cseq };
}

/**
 * RFC 3261 §18.2.1 / RFC 3581: writes `received` (and `rport`, when the client asked for it) into
 * the top Via, so responses find the way back. False when the request has no usable Via.
 */
function recordSource(req: SipRequest, src: RemoteAddress): boolean {
  const vias = req.headers.getAll('Via');
  const via = parseVia(vias[0] ?? '');
  if (!via) return false;
  if (via.params.has('rport') || via.host !== src.address) {
    via.params.set('received', src.address);
    if (via.params.has('rport')) via.params.set('rport', String(src.port));
    req.headers.remove('Via');
    req.headers.append('Via', formatVia(via));
    for (const v of vias.slice(1)) req.headers.append('Via', v);
  }
  return true;
}

/** Resolves a SIP URI to a transport destination (no DNS SRV: host:port, default 5060). */
export function remoteForUri(target: string, transport: SipTransportKind): RemoteAddress {
  const uri = parseSipUri(target);
  return { transport, address: uri?.host.replace(/^\[|\]$/g, '') ?? '', port: uri?.port ?? 5060 };
}
