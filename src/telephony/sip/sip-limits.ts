/**
 * Resource limits of the SIP user agent against hostile or broken peers (config: SIP_TCP_*,
 * SIP_MAX_TRANSACTION_BYTES_PER_SOURCE; README "Configuration").
 */
export interface SipLimits {
  /** A TCP connection with no traffic either way for this long is closed. */
  tcpIdleTimeoutMs: number;
  /**
   * A message begun on a TCP connection (and the first message of a new inbound connection)
   * must arrive complete within this time, else the connection is closed (slow or half-open peers).
   */
  tcpHeaderTimeoutMs: number;
  /** Bytes a TCP connection may buffer for one incomplete message; more closes the connection. */
  tcpMaxBufferBytes: number;
  /** Estimated bytes of server transaction state one source address may hold; beyond, its new requests are dropped. */
  maxTransactionBytesPerSource: number;
}

export const DEFAULT_SIP_LIMITS: SipLimits = {
  tcpIdleTimeoutMs: 120_000,
  tcpHeaderTimeoutMs: 10_000,
  tcpMaxBufferBytes: 65_536,
  maxTransactionBytesPerSource: 1_048_576,
};
