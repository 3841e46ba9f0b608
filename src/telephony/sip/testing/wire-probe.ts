import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createConnection, type Socket as TcpSocket } from 'node:net';
import { SipHeaders } from '../headers';
import type { SipResponse } from '../message';
import { parseMessage } from '../parse-message';
import { SipStreamFramer } from '../stream-framer';

/**
 * A raw SIP client over a real socket for tests of a started user agent: sends bytes exactly as
 * given (malformed ones included) and collects the responses that come back, parsed.
 */
export interface WireProbe {
  readonly kind: 'udp' | 'tcp';
  /** The address:port the probe sends from (what a Via of its own would carry). */
  readonly address: string;
  readonly port: number;
  readonly responses: SipResponse[];
  send(data: Buffer | string): void;
  /** Resolves with the first response (already received or arriving) that `match` accepts. */
  waitFor(match: (r: SipResponse) => boolean, timeoutMs?: number): Promise<SipResponse>;
  /** TCP: true once the server closed the connection. */
  readonly closed: boolean;
  close(): Promise<void>;
}

class ProbeBase {
  readonly responses: SipResponse[] = [];
  #waiters: Array<{ match: (r: SipResponse) => boolean; resolve: (r: SipResponse) => void }> = [];

  protected deliver(data: Buffer): void {
    const res = lenientResponse(data);
    if (!res) return;
    this.responses.push(res);
    for (const w of [...this.#waiters]) {
      if (!w.match(res)) continue;
      this.#waiters.splice(this.#waiters.indexOf(w), 1);
      w.resolve(res);
    }
  }

  waitFor(match: (r: SipResponse) => boolean, timeoutMs = 10_000): Promise<SipResponse> {
    const seen = this.responses.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching SIP response within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      this.#waiters.push({
        match,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }
}

class UdpProbe extends ProbeBase implements WireProbe {
  readonly kind = 'udp' as const;
  readonly closed = false;
  readonly address: string;
  readonly #socket: UdpSocket;
  readonly #extra: UdpSocket[];
  /** Where `send` goes (may be changed between sends). */
  target: { address: string; port: number };

  constructor(socket: UdpSocket, target: { address: string; port: number }, extra: UdpSocket[]) {
    super();
    this.#socket = socket;
    this.#extra = extra;
    this.target = target;
    this.address = socket.address().address;
    for (const s of [socket, ...extra]) s.on('message', (data) => this.deliver(data));
  }

  get port(): number {
    return this.#socket.address().port;
  }

  send(data: Buffer | string): void {
    this.#socket.send(typeof data === 'string' ? Buffer.from(data) : data, this.target.port, this.target.address);
  }

  async close(): Promise<void> {
    for (const s of [this.#socket, ...this.#extra]) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

class TcpProbe extends ProbeBase implements WireProbe {
  readonly kind = 'tcp' as const;
  readonly #socket: TcpSocket;
  #closed = false;

  constructor(socket: TcpSocket) {
    super();
    this.#socket = socket;
    const framer = new SipStreamFramer();
    socket.on('data', (chunk) => {
      for (const f of framer.push(chunk).frames) this.deliver(f);
    });
    socket.on('close', () => (this.#closed = true));
    socket.on('error', () => undefined);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get address(): string {
    return this.#socket.localAddress ?? '127.0.0.1';
  }

  get port(): number {
    return this.#socket.localPort ?? 0;
  }

  send(data: Buffer | string): void {
    if (!this.#closed) this.#socket.write(data);
  }

  /** Resolves once the server has closed the connection. */
  waitClosed(timeoutMs = 10_000): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      this.#socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.destroy();
    });
  }
}

/**
 * A UDP probe towards `target`. `fromPort5060`: bind to port 5060 of a loopback address of its
 * own (127.x.y.z), so that responses to messages without `rport` (which go to the Via sent-by
 * port, default 5060: RFC 3261 §18.2.2) reach it; `alsoPorts`: more ports of that address to
 * listen on, for messages whose Via names another port.
 */
export async function udpProbe(
  target: { address: string; port: number },
  o: { fromPort5060?: boolean; alsoPorts?: number[] } = {},
): Promise<UdpProbe> {
  for (let attempt = 0; ; attempt++) {
    const address = o.fromPort5060 ? loopbackAlias(attempt) : '127.0.0.1';
    const bound: UdpSocket[] = [];
    try {
      for (const port of [o.fromPort5060 ? 5060 : 0, ...(o.fromPort5060 ? (o.alsoPorts ?? []) : [])]) {
        const socket = createSocket('udp4');
        bound.push(socket);
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(port, address, () => {
            socket.off('error', reject);
            resolve();
          });
        });
      }
      const [main, ...extra] = bound;
      return new UdpProbe(main!, target, extra);
    } catch (err) {
      for (const s of bound) s.close();
      if (attempt >= 20) throw err;
    }
  }
}

export async function tcpProbe(target: { address: string; port: number }): Promise<TcpProbe> {
  const socket = createConnection({ host: target.address, port: target.port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return new TcpProbe(socket);
}

export type { TcpProbe, UdpProbe };

function loopbackAlias(attempt: number): string {
  const n = (process.pid * 31 + attempt * 7919) % (250 * 250);
  return `127.${10 + (n % 200)}.${Math.floor(n / 250) % 250}.${2 + (attempt % 250)}`;
}

/** A response parsed strictly, or else leniently (status line and header fields): answers to malformed requests copy their faults. */
function lenientResponse(data: Buffer): SipResponse | undefined {
  const parsed = parseMessage(data);
  if (parsed.ok) return parsed.message.kind === 'response' ? parsed.message : undefined;
  const text = data.toString('utf8');
  const [head = ''] = text.split(/\r\n\r\n/);
  const [start = '', ...lines] = head.split('\r\n');
  const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  if (!m) return undefined;
  const headers = new SipHeaders();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { kind: 'response', status: Number(m[1]), reason: m[2] ?? '', headers, body: Buffer.alloc(0) };
}
