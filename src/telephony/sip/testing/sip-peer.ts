import { SipHeaders } from '../headers';
import { REASON_PHRASES, serializeMessage, type SipMessage, type SipRequest, type SipResponse } from '../message';
import { parseNameAddr } from '../name-addr';
import { parseMessage } from '../parse-message';
import type { RemoteAddress, SipTransportKind } from '../transport/sip-transport';
import type { FakeNetwork, FakeTransport } from './transport-fake';

export interface PeerMessage<M extends SipMessage = SipMessage> {
  msg: M;
  from: RemoteAddress;
  /** When it arrived, on the network's FakeTimers. */
  atMs: number;
}

/**
 * A scripted remote SIP peer on a FakeNetwork (a trunk or a phone, played by the test): records
 * every message it receives, parsed, and sends requests and responses exactly as the test builds
 * them. No SIP logic of its own (no transactions, no retransmissions, no automatic ACK).
 */
export class SipPeer {
  readonly transport: FakeTransport;
  readonly received: PeerMessage[] = [];
  #branch = 0;
  #tag = 0;

  constructor(net: FakeNetwork, o: { address: string; port: number; kind?: SipTransportKind }) {
    this.transport = net.transport(o.address, o.port, o.kind ?? 'udp');
    this.transport.setHandlers({
      onData: (data, from) => {
        const parsed = parseMessage(data);
        if (!parsed.ok) throw new Error(`peer got an unparseable message: ${parsed.reason}\n${data.toString()}`);
        this.received.push({ msg: parsed.message, from, atMs: net.timers.nowMs });
      },
      onError: () => undefined,
    });
  }

  get address(): string {
    return this.transport.address;
  }

  get port(): number {
    return this.transport.localPort;
  }

  /** `sip:user@address:port` of this peer. */
  uri(user?: string): string {
    return `sip:${user ? `${user}@` : ''}${this.address}:${this.port}`;
  }

  /** Requests received so far (optionally of one method), oldest first. */
  requests(method?: string): Array<PeerMessage<SipRequest>> {
    return this.received.filter(
      (m): m is PeerMessage<SipRequest> => m.msg.kind === 'request' && (!method || m.msg.method === method),
    );
  }

  responses(status?: number): Array<PeerMessage<SipResponse>> {
    return this.received.filter(
      (m): m is PeerMessage<SipResponse> => m.msg.kind === 'response' && (!status || m.msg.status === status),
    );
  }

  /** The last request of `method`; throws when there is none. */
  last(method: string): PeerMessage<SipRequest> {
    const all = this.requests(method);
    const m = all[all.length - 1];
    if (!m) throw new Error(`the peer received no ${method} (got: ${this.summary().join(', ') || 'nothing'})`);
    return m;
  }

  /** One word per received message: `INVITE`, `ACK`, `200`, ... */
  summary(): string[] {
    return this.received.map((m) => (m.msg.kind === 'request' ? m.msg.method : String(m.msg.status)));
  }

  send(msg: SipMessage, to: RemoteAddress): void {
    this.transport.send(serializeMessage(msg), to);
  }

  /** A fresh branch for a request of ours. */
  newBranch(): string {
    return `z9hG4bKpeer${++this.#branch}`;
  }

  newTag(): string {
    return `peertag${++this.#tag}`;
  }

  /** Our Via header value. */
  via(branch = this.newBranch()): string {
    return `SIP/2.0/${this.transport.kind.toUpperCase()} ${this.address}:${this.port};branch=${branch};rport`;
  }

  /**
   * Answers `req` back to where it came from (Via/From/To/Call-ID/CSeq copied). `toTag` is added
   * to To when it has none yet.
   */
  reply(
    req: PeerMessage<SipRequest>,
    status: number,
    o: { toTag?: string; headers?: Array<[string, string]>; body?: string; reason?: string } = {},
  ): SipResponse {
    const h = new SipHeaders();
    for (const v of req.msg.headers.getAll('Via')) h.append('Via', v);
    h.append('From', req.msg.headers.get('From') ?? '');
    let to = req.msg.headers.get('To') ?? '';
    if (o.toTag && !parseNameAddr(to)?.params.has('tag')) to += `;tag=${o.toTag}`;
    h.append('To', to);
    h.append('Call-ID', req.msg.headers.get('Call-ID') ?? '');
    h.append('CSeq', req.msg.headers.get('CSeq') ?? '');
    for (const [n, v] of o.headers ?? []) h.append(n, v);
    const res: SipResponse = {
      kind: 'response',
      status,
      reason: o.reason ?? REASON_PHRASES[status] ?? 'Unknown',
      headers: h,
      body: Buffer.from(o.body ?? ''),
    };
    this.send(res, req.from);
    return res;
  }

  /** Sends a request built from `headers` (our Via first unless `headers` has one). */
  request(method: string, uri: string, headers: Array<[string, string]>, to: RemoteAddress, body = ''): SipRequest {
    const h = SipHeaders.from(headers);
    if (!h.has('Via')) h.prepend('Via', this.via());
    if (!h.has('Max-Forwards')) h.append('Max-Forwards', '70');
    const req: SipRequest = { kind: 'request', method, uri, headers: h, body: Buffer.from(body) };
    this.send(req, to);
    return req;
  }
}
