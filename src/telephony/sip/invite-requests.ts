import { ALLOWED_METHODS } from './allowed-methods';
import { SipHeaders } from './headers';
import type { SipRequest } from './message';

/** The initial INVITE of an outbound call (no Via: the user agent core adds it). */
export function buildInitialInvite(o: {
  opts: { target: string; fromUser: string; fromDisplayName?: string | undefined; headers?: Array<[string, string]> };
  callId: string;
  localTag: string;
  publicHost: string;
  contact: string;
  offerSdp: string;
}): SipRequest {
  const display = o.opts.fromDisplayName ? `"${o.opts.fromDisplayName.replace(/["\\]/g, '')}" ` : '';
  const headers = SipHeaders.from([
    ['Max-Forwards', '70'],
    ['From', `${display}<sip:${o.opts.fromUser}@${o.publicHost}>;tag=${o.localTag}`],
    ['To', `<${o.opts.target}>`],
    ['Call-ID', o.callId],
    ['CSeq', '1 INVITE'],
    ['Contact', o.contact],
    ['Allow', ALLOWED_METHODS],
    ['Content-Type', 'application/sdp'],
    ...(o.opts.headers ?? []),
  ]);
  return { kind: 'request', method: 'INVITE', uri: o.opts.target, headers, body: Buffer.from(o.offerSdp) };
}

/** The same INVITE with CSeq + 1, a fresh branch (Via removed) and the credentials header set. */
export function withAuthorization(
  prev: SipRequest,
  headerName: 'Authorization' | 'Proxy-Authorization',
  value: string,
): SipRequest {
  const headers = prev.headers.clone();
  headers.remove('Via');
  const cseq = Number((prev.headers.get('CSeq') ?? '1').split(/\s+/)[0]) + 1;
  headers.set('CSeq', `${cseq} INVITE`);
  headers.set(headerName, value);
  return { ...prev, headers };
}

/** CANCEL for a pending INVITE (RFC 3261 §9.1): same Request-URI, Via (branch), Call-ID, From, To, CSeq number. */
export function buildCancel(invite: SipRequest): SipRequest {
  const h = new SipHeaders();
  h.append('Via', invite.headers.get('Via') ?? '');
  for (const r of invite.headers.getAll('Route')) h.append('Route', r);
  h.append('Max-Forwards', '70');
  h.append('From', invite.headers.get('From') ?? '');
  h.append('To', invite.headers.get('To') ?? '');
  h.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  h.append('CSeq', `${cseqNumber(invite)} CANCEL`);
  return { kind: 'request', method: 'CANCEL', uri: invite.uri, headers: h, body: Buffer.alloc(0) };
}

export function cseqNumber(msg: { headers: SipHeaders }): number {
  return Number((msg.headers.get('CSeq') ?? '0').split(/\s+/)[0]);
}
