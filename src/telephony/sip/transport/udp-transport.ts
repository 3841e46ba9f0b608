import { createSocket, type Socket } from 'node:dgram';
import { noTransportHandlers, type RemoteAddress, type SipTransport, type SipTransportHandlers } from './sip-transport';

/** UDP: one bound socket; every datagram is one SIP message. */
export class UdpTransport implements SipTransport {
  readonly kind = 'udp' as const;
  readonly reliable = false;
  readonly #socket: Socket;
  #handlers: SipTransportHandlers = noTransportHandlers;
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (data, rinfo) =>
      this.#handlers.onData(data, { transport: 'udp', address: rinfo.address, port: rinfo.port }),
    );
    socket.on('error', () => undefined);
  }

  static async bind(address: string, port: number): Promise<UdpTransport> {
    const socket = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpTransport(socket);
  }

  get localPort(): number {
    return this.#socket.address().port;
  }

  setHandlers(handlers: SipTransportHandlers): void {
    this.#handlers = handlers;
  }

  send(data: Buffer, remote: RemoteAddress): void {
    if (this.#closed) return;
    try {
      this.#socket.send(data, remote.port, remote.address, (err) => {
        if (err) this.#handlers.onError(remote, err.message);
      });
    } catch (err) {
      // A bad port or address throws synchronously (ERR_SOCKET_BAD_PORT): report, never throw.
      this.#handlers.onError(remote, (err as Error).message);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}
