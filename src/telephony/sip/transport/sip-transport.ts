export type SipTransportKind = 'udp' | 'tcp';

export interface RemoteAddress {
  transport: SipTransportKind;
  address: string;
  port: number;
}

export interface SipTransportHandlers {
  /** One whole message (a datagram or a TCP frame) and where it came from. */
  onData(data: Buffer, remote: RemoteAddress): void;
  /** Sending to / reading from `remote` failed (connection refused, reset, framing error). */
  onError(remote: RemoteAddress, reason: string): void;
}

/**
 * One socket adapter (UDP, TCP, or an in-memory fake): bytes in, bytes out, no SIP logic.
 * The transport layer (transport-layer.ts) sets the handlers once, before traffic flows;
 * bytes that arrive earlier are dropped.
 */
export interface SipTransport {
  readonly kind: SipTransportKind;
  /** Reliable transports (TCP) need no SIP retransmissions (RFC 3261 §17.1.1.2). */
  readonly reliable: boolean;
  readonly localPort: number;
  setHandlers(handlers: SipTransportHandlers): void;
  send(data: Buffer, remote: RemoteAddress): void;
  close(): Promise<void>;
}

export const noTransportHandlers: SipTransportHandlers = { onData: () => undefined, onError: () => undefined };
