import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { SipStreamFramer } from '../stream-framer';
import { noTransportHandlers, type RemoteAddress, type SipTransport, type SipTransportHandlers } from './sip-transport';

const key = (address: string, port: number): string => `${address}|${port}`;

/**
 * TCP: a listening socket for inbound connections plus outbound connections opened on demand,
 * reused in both directions (RFC 3261 §18). Each connection has its own stream framer.
 */
export class TcpTransport implements SipTransport {
  readonly kind = 'tcp' as const;
  readonly reliable = true;
  readonly #server: Server;
  #handlers: SipTransportHandlers = noTransportHandlers;
  readonly #conns = new Map<string, { socket: Socket; ready: boolean; queue: Buffer[] }>();
  #closed = false;

  private constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket) =>
      this.#adopt(socket, key(socket.remoteAddress ?? '', socket.remotePort ?? 0), true),
    );
  }

  static async listen(address: string, port: number): Promise<TcpTransport> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TcpTransport(server);
  }

  get localPort(): number {
    const a = this.#server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  setHandlers(handlers: SipTransportHandlers): void {
    this.#handlers = handlers;
  }

  #adopt(socket: Socket, k: string, ready: boolean): { socket: Socket; ready: boolean; queue: Buffer[] } {
    const conn = { socket, ready, queue: [] as Buffer[] };
    this.#conns.set(k, conn);
    const framer = new SipStreamFramer();
    const remote = (): RemoteAddress => ({
      transport: 'tcp',
      address: socket.remoteAddress ?? k.split('|')[0] ?? '',
      port: socket.remotePort ?? Number(k.split('|')[1]),
    });
    socket.on('data', (chunk) => {
      const { frames, error } = framer.push(chunk);
      for (const f of frames) this.#handlers.onData(f, remote());
      if (error) {
        this.#handlers.onError(remote(), error);
        socket.destroy();
      }
    });
    socket.on('error', (err) => {
      const [address = '', port = '0'] = k.split('|');
      this.#handlers.onError({ transport: 'tcp', address, port: Number(port) }, err.message);
    });
    socket.on('close', () => {
      if (this.#conns.get(k)?.socket === socket) this.#conns.delete(k);
    });
    return conn;
  }

  send(data: Buffer, remote: RemoteAddress): void {
    if (this.#closed) return;
    const k = key(remote.address, remote.port);
    let conn = this.#conns.get(k);
    if (!conn) {
      const socket = createConnection({ host: remote.address, port: remote.port });
      const c = this.#adopt(socket, k, false);
      socket.once('connect', () => {
        c.ready = true;
        for (const q of c.queue.splice(0)) socket.write(q);
      });
      conn = c;
    }
    if (conn.ready) conn.socket.write(data);
    else conn.queue.push(data);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#conns.values()) c.socket.destroy();
    this.#conns.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
