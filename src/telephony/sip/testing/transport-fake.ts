import { FakeTimers } from '../../../shared/timers';
import {
  noTransportHandlers,
  type RemoteAddress,
  type SipTransport,
  type SipTransportHandlers,
  type SipTransportKind,
} from '../transport/sip-transport';
import { TransportLayer } from '../transport/transport-layer';

const endpointKey = (kind: SipTransportKind, address: string, port: number): string => `${kind} ${address}:${port}`;

/**
 * An in-memory network for SIP tests without sockets: every FakeTransport on it has an address
 * and port; a message arrives `latencyMs` after it was sent, on the network's FakeTimers (give
 * the same FakeTimers to the user agent cores under test, then `flush()` / `timers.advance()`).
 * UDP to an unknown address is lost; TCP to one fails like a refused connection.
 */
export class FakeNetwork {
  readonly timers: FakeTimers;
  readonly latencyMs: number;
  readonly #endpoints = new Map<string, FakeTransport>();
  /** Datagrams that went nowhere (no endpoint at the destination). */
  lost = 0;

  constructor(o: { timers?: FakeTimers; latencyMs?: number } = {}) {
    this.timers = o.timers ?? new FakeTimers();
    this.latencyMs = o.latencyMs ?? 0;
  }

  /** A transport on this network (not yet in a TransportLayer). */
  transport(address: string, port: number, kind: SipTransportKind = 'udp'): FakeTransport {
    const t = new FakeTransport(this, kind, address, port);
    this.#endpoints.set(endpointKey(kind, address, port), t);
    return t;
  }

  /** A ready-made TransportLayer over fake transports (one per kind, all on `port`). */
  transportLayer(address: string, port: number, kinds: SipTransportKind[] = ['udp']): TransportLayer {
    return new TransportLayer(
      address,
      kinds.map((k) => this.transport(address, port, k)),
    );
  }

  /** Delivers everything in flight now, and what that causes in turn (no time passes). */
  flush(): void {
    this.timers.advance(0);
  }

  /** @internal (FakeTransport.send) */
  carry(from: FakeTransport, data: Buffer, to: RemoteAddress): void {
    const dest = this.#endpoints.get(endpointKey(to.transport, to.address, to.port));
    const src: RemoteAddress = { transport: from.kind, address: from.address, port: from.localPort };
    this.timers.set(this.latencyMs, () => {
      if (dest && !dest.closed) return dest.receive(Buffer.from(data), src);
      this.lost++;
      if (from.kind === 'tcp') from.fail(to, 'connect ECONNREFUSED (fake network)');
    });
  }

  /** @internal */
  remove(t: FakeTransport): void {
    const k = endpointKey(t.kind, t.address, t.localPort);
    if (this.#endpoints.get(k) === t) this.#endpoints.delete(k);
  }
}

/** One in-memory transport endpoint; also records what it sent (`sent`). */
export class FakeTransport implements SipTransport {
  readonly kind: SipTransportKind;
  readonly reliable: boolean;
  readonly address: string;
  readonly localPort: number;
  readonly sent: Array<{ data: Buffer; remote: RemoteAddress }> = [];
  readonly #net: FakeNetwork;
  #handlers: SipTransportHandlers = noTransportHandlers;
  #closed = false;

  constructor(net: FakeNetwork, kind: SipTransportKind, address: string, port: number) {
    this.#net = net;
    this.kind = kind;
    this.reliable = kind === 'tcp';
    this.address = address;
    this.localPort = port;
  }

  get closed(): boolean {
    return this.#closed;
  }

  setHandlers(handlers: SipTransportHandlers): void {
    this.#handlers = handlers;
  }

  send(data: Buffer, remote: RemoteAddress): void {
    if (this.#closed) return;
    this.sent.push({ data, remote });
    this.#net.carry(this, data, remote);
  }

  /** Bytes from `remote` (the network calls it; tests may too). */
  receive(data: Buffer, remote: RemoteAddress): void {
    this.#handlers.onData(data, remote);
  }

  /** Reports a transport error towards `remote` (as a refused or reset connection would). */
  fail(remote: RemoteAddress, reason: string): void {
    this.#handlers.onError(remote, reason);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#net.remove(this);
  }
}
