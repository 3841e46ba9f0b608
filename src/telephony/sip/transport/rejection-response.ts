import { createHash } from 'node:crypto';
import { SipHeaders } from '../headers';
import type { SipResponse } from '../message';
import { parseNameAddr } from '../name-addr';
import type { RejectedRequest } from '../parse-message';
import { formatVia, parseVia } from '../via';
import type { RemoteAddress } from './sip-transport';
import { responseDestination } from './response-destination';

const PHRASE = { 400: 'Bad Request', 505: 'Version Not Supported' } as const;

/**
 * The stateless answer to a request the parser refused (RFC 3261 §8.2: 400 with the problem in
 * the reason phrase, §8.2.2 / §16.3: 505), and where it goes: like any response (received / rport
 * / sent-by port, RFC 3261 §18.2.2, RFC 3581), or back to the packet's source when even the top
 * Via is unreadable. The To tag is derived from the request, so a retransmission gets the same one.
 */
export function rejectionResponse(
  rejected: RejectedRequest,
  reason: string,
  src: RemoteAddress,
): { response: SipResponse; destination: RemoteAddress } {
  const req = rejected.headers;
  const h = new SipHeaders();
  const vias = req.getAll('Via');
  const top = parseVia(vias[0] ?? '');
  if (top) {
    top.params.set('received', src.address);
    if (top.params.has('rport')) top.params.set('rport', String(src.port));
  }
  vias.forEach((v, i) => h.append('Via', i === 0 && top ? formatVia(top) : v));
  for (const name of ['From', 'To', 'Call-ID', 'CSeq']) {
    const v = req.get(name);
    if (v === undefined) continue;
    const needsTag = name === 'To' && !parseNameAddr(v)?.params.has('tag') && !/;\s*tag\s*=/i.test(v);
    h.append(name, needsTag ? `${v};tag=${statelessTag(req)}` : v);
  }
  const response: SipResponse = {
    kind: 'response',
    status: rejected.status,
    reason: `${PHRASE[rejected.status]} (${reasonPhraseText(reason)})`,
    headers: h,
    body: Buffer.alloc(0),
  };
  const destination = responseDestination({ headers: h }, src);
  return { response, destination };
}

/** RFC 3261 §25.1 Reason-Phrase characters only (no quotes or brackets), at most 80. */
function reasonPhraseText(reason: string): string {
  return (
    reason
      .replace(/[^A-Za-z0-9 ,;:/?@&=+$\-_.!~*'()]/g, '')
      .slice(0, 80)
      .trim() || 'malformed request'
  );
}

function statelessTag(h: SipHeaders): string {
  const seed = [h.get('Call-ID'), h.get('From'), h.get('CSeq'), h.get('Via')].join('|');
  return createHash('sha256').update(seed).digest('hex').slice(0, 12);
}
