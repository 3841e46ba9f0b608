import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../../shared/log';
import { systemTimers, type TimerHandle, type Timers } from '../../../shared/timers';
import { DEFAULT_SIP_LIMITS, type SipLimits } from '../sip-limits';
import { SipStreamFramer } from '../stream-framer';
import { noTransportHandlers, type RemoteAddress, type SipTransport, type SipTransportHandlers } from './sip-transport';

const key = (address: string, port: number): string => `${address}|${port}`;

export type TcpLimits = Pick<SipLimits, 'tcpIdleTimeoutMs' | 'tcpHeaderTimeoutMs' | 'tcpMaxBufferBytes'>;

interface Connection {
  socket: Socket;
  ready: boolean;
  queue: Buffer[];
}

/**
 * TCP: a listening socket for inbound connections plus outbound connections opened on demand,
 * reused in both directions (RFC 3261 §18). Each connection has its own stream framer and is
 * closed when it misbehaves: no traffic for `tcpIdleTimeoutMs`; a message (or the first message
 * of an inbound connection) not complete within `tcpHeaderTimeoutMs`; more than
 * `tcpMaxBufferBytes` buffered for one message; a peer that does not read what we write.
 */
export class TcpTransport implements SipTransport {
  readonly kind = 'tcp' as const;
  readonly reliable = true;
  readonly #server: Server;
  readonly #limits: TcpLimits;
  readonly #timers: Timers;
  readonly #log: Logger | undefined;
  #handlers: SipTransportHandlers = noTransportHandlers;
  readonly #conns = new Map<string, Connection>();
  readonly #sockets = new Set<Socket>();
  #closed = false;

  private constructor(server: Server, o: { limits: TcpLimits; timers: Timers; log: Logger | undefined }) {
    this.#server = server;
    this.#limits = o.limits;
    this.#timers = o.timers;
    this.#log = o.log;
    server.on('connection', (socket) =>
      this.#adopt(socket, key(socket.remoteAddress ?? '', socket.remotePort ?? 0), true, true),
    );
    server.on('error', (err) => this.#log?.warn({ err }, 'SIP TCP listener error'));
  }

  static async listen(
    address: string,
    port: number,
    o: { limits?: Partial<TcpLimits> | undefined; timers?: Timers | undefined; log?: Logger | undefined } = {},
  ): Promise<TcpTransport> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TcpTransport(server, {
      limits: { ...DEFAULT_SIP_LIMITS, ...o.limits },
      timers: o.timers ?? systemTimers,
      log: o.log,
    });
  }

  get localPort(): number {
    const a = this.#server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  /** Open connections (inbound and outbound). */
  get connectionCount(): number {
    return this.#sockets.size;
  }

  setHandlers(handlers: SipTransportHandlers): void {
    this.#handlers = handlers;
  }

  #adopt(socket: Socket, k: string, ready: boolean, inbound: boolean): Connection {
    const conn: Connection = { socket, ready, queue: [] };
    this.#conns.set(k, conn);
    this.#sockets.add(socket);
    const framer = new SipStreamFramer(this.#limits.tcpMaxBufferBytes);
    const [kAddress = '', kPort = '0'] = k.split('|');
    const remote = (): RemoteAddress => ({
      transport: 'tcp',
      address: socket.remoteAddress ?? kAddress,
      port: socket.remotePort ?? Number(kPort),
    });
    const drop = (reason: string): void => {
      this.#log?.debug({ remote: `${kAddress}:${kPort}`, reason }, 'closing SIP TCP connection');
      socket.destroy();
    };
    // Header-read timer: runs while a message is incomplete, and on a new inbound connection
    // until its first message is complete (a connection that never speaks is half-open).
    let headerTimer: TimerHandle | undefined;
    const startHeaderTimer = (): void => {
      headerTimer ??= this.#timers.set(this.#limits.tcpHeaderTimeoutMs, () => drop('header read timeout'));
    };
    const stopHeaderTimer = (): void => {
      if (headerTimer !== undefined) this.#timers.clear(headerTimer);
      headerTimer = undefined;
    };
    let awaitingFirst = inbound;
    if (inbound) startHeaderTimer();
    socket.setTimeout(this.#limits.tcpIdleTimeoutMs, () => drop('idle timeout'));

    socket.on('data', (chunk) => {
      try {
        const { frames, error } = framer.push(chunk);
        if (frames.length > 0) {
          awaitingFirst = false;
          stopHeaderTimer();
        }
        for (const f of frames) this.#handlers.onData(f, remote());
        if (error) {
          this.#handlers.onError(remote(), error);
          return drop(error);
        }
        if (framer.bufferedBytes > 0) startHeaderTimer();
        else if (!awaitingFirst) stopHeaderTimer();
      } catch (err) {
        this.#log?.error({ err }, 'SIP TCP data handling failed');
        drop('internal error');
      }
    });
    socket.on('error', (err) => {
      this.#handlers.onError({ transport: 'tcp', address: kAddress, port: Number(kPort) }, err.message);
    });
    socket.on('close', () => {
      stopHeaderTimer();
      this.#sockets.delete(socket);
      if (this.#conns.get(k)?.socket === socket) this.#conns.delete(k);
    });
    return conn;
  }

  send(data: Buffer, remote: RemoteAddress): void {
    if (this.#closed) return;
    const k = key(remote.address, remote.port);
    let conn = this.#conns.get(k);
    if (!conn) {
      let socket: Socket;
      try {
        socket = createConnection({ host: remote.address, port: remote.port });
      } catch (err) {
        return this.#handlers.onError(remote, (err as Error).message);
      }
      const c = this.#adopt(socket, k, false, false);
      socket.once('connect', () => {
        c.ready = true;
        for (const q of c.queue.splice(0)) socket.write(q);
      });
      conn = c;
    }
    if (!conn.ready) {
      conn.queue.push(data);
      return;
    }
    // A peer that does not read what we send: do not buffer for it without bound.
    if (conn.socket.writableLength > 16 * this.#limits.tcpMaxBufferBytes) {
      this.#log?.debug({ remote: k }, 'closing SIP TCP connection: peer does not read');
      conn.socket.destroy();
      return;
    }
    conn.socket.write(data);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#sockets) s.destroy();
    this.#conns.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
