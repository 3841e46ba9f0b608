import { createHash } from 'node:crypto';
import { splitOutsideQuotes, unquote } from './name-addr';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: 'MD5' | 'SHA-256';
  qop?: 'auth';
  stale: boolean;
}

export interface DigestCredentials {
  username: string;
  password: string;
}

/** Parses the params of `Digest realm=..., nonce=...` (WWW-/Proxy-Authenticate, or Authorization). */
export function parseDigestParams(header: string): Map<string, string> | null {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return null;
  const out = new Map<string, string>();
  for (const part of splitOutsideQuotes(m[1] ?? '', ',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out.set(part.slice(0, eq).trim().toLowerCase(), unquote(part.slice(eq + 1).trim()));
  }
  return out;
}

/** Returns null for non-Digest or unsupported challenges (unknown algorithm, qop without auth). */
export function parseDigestChallenge(header: string): DigestChallenge | null {
  const p = parseDigestParams(header);
  if (!p) return null;
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined || nonce === undefined) return null;
  const algo = (p.get('algorithm') ?? 'MD5').toUpperCase();
  if (algo !== 'MD5' && algo !== 'SHA-256') return null;
  const qopList = p
    .get('qop')
    ?.split(',')
    .map((q) => q.trim().toLowerCase());
  if (qopList && !qopList.includes('auth')) return null;
  const ch: DigestChallenge = { realm, nonce, algorithm: algo, stale: p.get('stale')?.toLowerCase() === 'true' };
  const opaque = p.get('opaque');
  if (opaque !== undefined) ch.opaque = opaque;
  if (qopList) ch.qop = 'auth';
  return ch;
}

function h(algorithm: DigestChallenge['algorithm'], s: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
    .update(s)
    .digest('hex');
}

export interface DigestInput {
  algorithm: DigestChallenge['algorithm'];
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
}

/** The `response=` value (RFC 2617 §3.2.2 / RFC 7616). */
export function computeDigestResponse(i: DigestInput): string {
  const ha1 = h(i.algorithm, `${i.username}:${i.realm}:${i.password}`);
  const ha2 = h(i.algorithm, `${i.method}:${i.uri}`);
  if (i.qop === 'auth') return h(i.algorithm, `${ha1}:${i.nonce}:${i.nc}:${i.cnonce}:auth:${ha2}`);
  return h(i.algorithm, `${ha1}:${i.nonce}:${ha2}`);
}

/** Builds the Authorization / Proxy-Authorization value answering `challenge`. */
export function buildDigestAuthorization(
  challenge: DigestChallenge,
  creds: DigestCredentials,
  method: string,
  uri: string,
  cnonce: string,
  nonceCount = 1,
): string {
  const nc = nonceCount.toString(16).padStart(8, '0');
  const input: DigestInput = {
    algorithm: challenge.algorithm,
    username: creds.username,
    password: creds.password,
    realm: challenge.realm,
    nonce: challenge.nonce,
    method,
    uri,
  };
  if (challenge.qop) Object.assign(input, { qop: 'auth', nc, cnonce });
  const q = (s: string): string => '"' + s.replace(/(["\\])/g, '\\$1') + '"';
  const parts = [
    `username=${q(creds.username)}`,
    `realm=${q(challenge.realm)}`,
    `nonce=${q(challenge.nonce)}`,
    `uri=${q(uri)}`,
    `response=${q(computeDigestResponse(input))}`,
    `algorithm=${challenge.algorithm}`,
  ];
  if (challenge.qop) parts.push('qop=auth', `nc=${nc}`, `cnonce=${q(cnonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${q(challenge.opaque)}`);
  return 'Digest ' + parts.join(', ');
}

/** Server-side check of an Authorization value (used by tests and the 407 scenario). */
export function verifyDigestAuthorization(header: string, method: string, creds: DigestCredentials): boolean {
  const p = parseDigestParams(header);
  if (!p) return false;
  const algorithm = (p.get('algorithm') ?? 'MD5').toUpperCase();
  if (algorithm !== 'MD5' && algorithm !== 'SHA-256') return false;
  const input: DigestInput = {
    algorithm,
    username: p.get('username') ?? '',
    password: creds.password,
    realm: p.get('realm') ?? '',
    nonce: p.get('nonce') ?? '',
    method,
    uri: p.get('uri') ?? '',
  };
  if (p.get('qop') === 'auth') Object.assign(input, { qop: 'auth', nc: p.get('nc'), cnonce: p.get('cnonce') });
  return p.get('username') === creds.username && computeDigestResponse(input) === p.get('response');
}
