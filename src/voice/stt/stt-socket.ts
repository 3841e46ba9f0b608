import WebSocket from 'ws';
import { systemTimers, type TimerHandle, type Timers } from '../../shared/timers';
import { ProviderError } from '../provider-error';

/** Waits before reconnect attempts 1, 2, 3…; the last repeats. */
const RECONNECT_DELAYS_MS = [0, 100, 250, 500, 1000, 2000];

export interface SttSocketOptions {
  url: string;
  headers: Record<string, string>;
  timers?: Timers | undefined;
  /** Idle time after which `keepAlive` runs (nothing sent for this long). */
  keepAliveMs: number;
  /** Connected (the first time or again): send the session setup and resend the audio not yet final. */
  onOpen: () => void;
  onMessage: (text: string) => void;
  /** Sends the provider's keep-alive. */
  keepAlive: () => void;
  /** The connection failed or dropped (reported once per outage); a reconnect is scheduled. */
  onDrop: (error: ProviderError) => void;
}

/**
 * The WebSocket under a streaming STT provider: connects at once, reconnects after a drop (with
 * growing waits), and runs the provider's keep-alive when nothing was sent for a while (Deepgram
 * closes an idle stream after about 10 s, e.g. during a long agent turn). Audio is never queued
 * here: while disconnected `send` returns false, and the provider resends what is not final yet
 * from its own buffer in `onOpen`.
 */
export class SttSocket {
  readonly #o: SttSocketOptions;
  readonly #timers: Timers;
  #ws: WebSocket | undefined;
  #attempt = 0;
  #outage = false;
  #closed = false;
  #keepAlive: TimerHandle | undefined;
  #reconnect: TimerHandle | undefined;

  constructor(options: SttSocketOptions) {
    this.#o = options;
    this.#timers = options.timers ?? systemTimers;
    this.#connect();
  }

  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Sends a text or binary message; false when not connected (the provider resends later). */
  send(data: string | Uint8Array): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(data);
    this.#armKeepAlive();
    return true;
  }

  /** A WebSocket ping (keep-alive of providers without a keep-alive message). */
  ping(): void {
    if (this.isOpen) {
      this.#ws!.ping();
      this.#armKeepAlive();
    }
  }

  /** Closes for good; `last` is sent first when connected (Deepgram `CloseStream`). */
  close(last?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#keepAlive !== undefined) this.#timers.clear(this.#keepAlive);
    if (this.#reconnect !== undefined) this.#timers.clear(this.#reconnect);
    const ws = this.#ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.OPEN) {
      if (last !== undefined) ws.send(last);
      ws.close(1000);
    } else ws.terminate();
  }

  #connect(): void {
    if (this.#closed) return;
    const ws = new WebSocket(this.#o.url, { headers: this.#o.headers, handshakeTimeout: 5000 });
    this.#ws = ws;
    let failed = false;
    const fail = (err: ProviderError): void => {
      if (failed || this.#ws !== ws) return;
      failed = true;
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
      if (this.#closed) return;
      if (!this.#outage) {
        this.#outage = true;
        this.#o.onDrop(err);
      }
      const delay = RECONNECT_DELAYS_MS[Math.min(this.#attempt, RECONNECT_DELAYS_MS.length - 1)]!;
      this.#attempt += 1;
      this.#reconnect = this.#timers.set(delay, () => {
        this.#reconnect = undefined;
        this.#connect();
      });
    };
    ws.on('open', () => {
      this.#attempt = 0;
      this.#outage = false;
      this.#armKeepAlive();
      this.#o.onOpen();
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.#o.onMessage(rawText(data));
    });
    ws.on('unexpected-response', (_req, res) => {
      fail(
        new ProviderError('stt', 'provider_status', `streaming STT answered HTTP ${res.statusCode ?? 0}`, {
          status: res.statusCode ?? 0,
        }),
      );
    });
    ws.on('error', (err) =>
      fail(new ProviderError('stt', 'provider_connection', `streaming STT connection failed: ${err.message}`)),
    );
    ws.on('close', (code) => {
      if (!this.#closed)
        fail(new ProviderError('stt', 'provider_connection', `streaming STT connection closed (${code})`));
    });
  }

  #armKeepAlive(): void {
    if (this.#keepAlive !== undefined) this.#timers.clear(this.#keepAlive);
    if (this.#closed) return;
    this.#keepAlive = this.#timers.set(this.#o.keepAliveMs, () => {
      this.#keepAlive = undefined;
      if (this.isOpen) this.#o.keepAlive();
      else this.#armKeepAlive();
    });
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
