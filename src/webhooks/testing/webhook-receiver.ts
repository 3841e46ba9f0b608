import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes received (what a receiver verifies the signature over). */
  raw: Buffer;
}

/** What the receiver does with the n-th request (0-based): answer, or drop the connection. */
export type ReceiverScript = (
  req: ReceivedRequest,
  index: number,
) => { status: number; body?: string; delayMs?: number; headers?: Record<string, string> } | 'drop';

/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) standing in for a customer's webhook
 * receiver: records every request's raw bytes and answers as scripted.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  script: ReceiverScript = () => ({ status: 200, body: '{}' });
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          raw: Buffer.concat(chunks),
        };
        const index = this.requests.length;
        this.requests.push(received);
        const action = this.script(received, index);
        if (action === 'drop') {
          req.socket.destroy();
          return;
        }
        const send = (r: ServerResponse): void => {
          r.writeHead(action.status, { 'content-type': 'application/json', ...(action.headers ?? {}) });
          r.end(action.body ?? '');
        };
        if (action.delayMs === undefined) send(res);
        else {
          const t = setTimeout(() => {
            this.#timers.delete(t);
            if (!res.destroyed) send(res);
          }, action.delayMs);
          this.#timers.add(t);
        }
      });
    });
    this.#server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    await new Promise<void>((resolve) => r.#server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
