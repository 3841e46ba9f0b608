import type { G711Codec } from '../../audio/g711';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpConnection {
  addressType: 'IP4' | 'IP6';
  address: string;
}

export interface SdpRtpMap {
  payloadType: number;
  encoding: string;
  clockRate: number;
  channels?: number;
}

export interface SdpMedia {
  type: string;
  port: number;
  proto: string;
  formats: string[];
  connection?: SdpConnection;
  rtpmaps: SdpRtpMap[];
  fmtps: Map<number, string>;
  ptimeMs?: number;
  direction?: MediaDirection;
  /** Every a= line of this media section, in order (name → value, '' for flags). */
  attributes: Array<[string, string]>;
}

export interface SessionDescription {
  origin: { username: string; sessionId: string; sessionVersion: string; addressType: string; address: string };
  sessionName: string;
  connection?: SdpConnection;
  direction?: MediaDirection;
  media: SdpMedia[];
}

/**
 * The outcome of an offer/answer exchange, always from OUR side of the call:
 * - codec / payloadType: what we send and expect to receive;
 * - remoteAddress / remotePort: where we send RTP (until symmetric RTP latches elsewhere);
 * - direction: what WE may do (`recvonly` = do not send, `sendonly` = nothing is expected to arrive);
 * - onHold: the far end put the call on hold (its direction sendonly/inactive, or c=0.0.0.0).
 */
export interface NegotiatedMedia {
  codec: G711Codec;
  payloadType: number;
  telephoneEventPayloadType?: number;
  remoteAddress: string;
  remotePort: number;
  direction: MediaDirection;
  ptimeMs: number;
  onHold: boolean;
}

export type SdpResult<T> = T | { error: string };

export function isSdpError<T extends object>(r: SdpResult<T>): r is { error: string } {
  return typeof (r as { error?: unknown }).error === 'string';
}
