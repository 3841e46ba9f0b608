import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseDigestParams, verifyDigestAuthorization, type DigestCredentials } from '../telephony/sip/digest';

/** The realm of our inbound challenges. */
export const INBOUND_DIGEST_REALM = 'thunderphone';
/** How long a nonce of ours may be answered (the caller re-sends the INVITE right after the 401). */
export const INBOUND_NONCE_MAX_AGE_MS = 5 * 60_000;

export interface DigestServerDeps {
  /** Server secret (THUNDERPHONE_SECRET_KEY): nonces are `<time>.<HMAC>`, so no nonce table is needed. */
  key: Buffer;
  nowMs: () => number;
}

export type DigestVerdict =
  | { ok: true }
  /** Answer 401 with this WWW-Authenticate; `failed`: an Authorization was there but wrong (log it). */
  | { ok: false; wwwAuthenticate: string; failed: boolean };

function mac(key: Buffer, issuedMs: string): string {
  return createHmac('sha256', key).update(`thunderphone/inbound-nonce/v1/${issuedMs}`).digest('base64url').slice(0, 32);
}

export function issueNonce(d: DigestServerDeps): string {
  const issued = Math.floor(d.nowMs()).toString(36);
  return `${issued}.${mac(d.key, issued)}`;
}

/** 'fresh' | 'stale' (ours, but too old) | 'foreign' (not made by this key). */
export function nonceState(d: DigestServerDeps, nonce: string): 'fresh' | 'stale' | 'foreign' {
  const [issued = '', tag = ''] = nonce.split('.');
  const want = Buffer.from(mac(d.key, issued));
  const got = Buffer.from(tag);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'foreign';
  const ageMs = d.nowMs() - parseInt(issued, 36);
  return ageMs >= 0 && ageMs <= INBOUND_NONCE_MAX_AGE_MS ? 'fresh' : 'stale';
}

/**
 * Digest authentication of an inbound INVITE (RFC 3261 §22.4, RFC 2617 / 7616 MD5 with qop=auth):
 * no Authorization → a challenge; an Authorization for our realm with a fresh nonce of ours and
 * the right response for `creds` → ok; a stale nonce → a new challenge with stale=true; anything
 * else → a new challenge, `failed`.
 */
export function checkInboundDigest(
  authorization: string | null,
  method: string,
  creds: DigestCredentials,
  d: DigestServerDeps,
): DigestVerdict {
  const challenge = (stale: boolean) =>
    `Digest realm="${INBOUND_DIGEST_REALM}", nonce="${issueNonce(d)}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  if (authorization === null) return { ok: false, wwwAuthenticate: challenge(false), failed: false };
  const p = parseDigestParams(authorization);
  const state = p ? nonceState(d, p.get('nonce') ?? '') : 'foreign';
  const valid =
    p !== null &&
    p.get('realm') === INBOUND_DIGEST_REALM &&
    state !== 'foreign' &&
    verifyDigestAuthorization(authorization, method, creds);
  if (valid && state === 'fresh') return { ok: true };
  if (valid && state === 'stale') return { ok: false, wwwAuthenticate: challenge(true), failed: false };
  return { ok: false, wwwAuthenticate: challenge(false), failed: true };
}
