import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/config';
import type { Clock } from '../shared/clock';

type UrlConfig = Pick<Config, 'secretKey' | 'http' | 'recordings'>;

export interface SignedRecordingUrl {
  url: string;
  expiresAt: string;
}

/** HMAC key for recording links, derived from THUNDERPHONE_SECRET_KEY (never the key itself). */
function urlKey(secretKey: Buffer): Buffer {
  return createHmac('sha256', secretKey).update('thunderphone/recording-url/v1').digest();
}

function signature(secretKey: Buffer, callId: number, expiresSec: number): string {
  return createHmac('sha256', urlKey(secretKey)).update(`${callId}.${expiresSec}`).digest('base64url');
}

/**
 * An expiring link to a call's recording, served by this server's public route
 * `GET /recordings/<callId>.wav?expires=<unix seconds>&signature=<HMAC>` (RECORDINGS url TTL).
 * Used by GET /v1/calls/{id}/audio and the telephony.complete webhook.
 */
export function signRecordingUrl(config: UrlConfig, callId: number, nowMs: number): SignedRecordingUrl {
  const expiresSec = Math.ceil((nowMs + config.recordings.urlTtlMs) / 1000);
  const url = `${config.http.publicBaseUrl}/recordings/${callId}.wav?expires=${expiresSec}&signature=${signature(config.secretKey, callId, expiresSec)}`;
  return { url, expiresAt: new Date(expiresSec * 1000).toISOString() };
}

/** True when the link was made by this server for this call and has not expired. */
export function verifyRecordingSignature(
  config: Pick<Config, 'secretKey'>,
  callId: number,
  expires: string,
  sig: string,
  nowMs: number,
): boolean {
  if (!/^[0-9]{1,12}$/.test(expires)) return false;
  const expiresSec = Number(expires);
  if (expiresSec * 1000 <= nowMs) return false;
  const expected = Buffer.from(signature(config.secretKey, callId, expiresSec));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** For the call runtime's finalizer: `recordingUrl(call)` of the telephony.complete payload. */
export function recordingUrlMaker(
  config: UrlConfig,
  clock: Clock,
): (call: { id: number; recording_path: string | null }) => string | null {
  return (call) => (call.recording_path ? signRecordingUrl(config, Number(call.id), clock.nowMs()).url : null);
}
