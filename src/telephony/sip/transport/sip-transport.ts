export type SipTransportKind = 'udp' | 'tcp';

export interface RemoteAddress {
  transport: SipTransportKind;
  address: string;
  port: number;
}

export interface SipTransportHandlers {
  /** One whole message (a datagram or a TCP frame). */
  onData(data: Buffer, remote: RemoteAddress): void;
  /** Sending to / reading from `remote` failed (connection refused, reset, framing error). */
  onError(remote: RemoteAddress, reason: string): void;
}

/** Thin socket adapter: bytes in, bytes out, no SIP logic. */
export interface SipTransport {
  readonly kind: SipTransportKind;
  readonly reliable: boolean;
  readonly localPort: number;
  send(data: Buffer, remote: RemoteAddress): void;
  close(): Promise<void>;
}
