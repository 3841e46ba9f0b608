import type { SipRequest } from './message';

/** Option tags we support in Require (RFC 3261 §8.2.2.3): none yet. */
const SUPPORTED_OPTION_TAGS = new Set<string>();
const URI_SCHEMES = new Set(['sip', 'sips', 'tel']);
const INVITE_BODY_TYPES = new Set(['application/sdp', 'multipart/mixed']);

export interface RequestRejection {
  status: 406 | 415 | 416 | 420;
  headers: Array<[string, string]>;
}

/**
 * RFC 3261 §8.2.1–§8.2.3 checks of a well-formed request before it is processed: an unknown
 * Request-URI scheme (416), a Require of an extension we lack (420, listed in Unsupported), an
 * INVITE body we cannot read (415) or an INVITE whose Accept excludes SDP (406). Undefined when
 * the request may go on. ACKs are never refused; CANCEL only for its URI scheme.
 */
export function unsupportedRequest(req: SipRequest): RequestRejection | undefined {
  if (req.method === 'ACK') return undefined;
  const scheme = req.uri.slice(0, req.uri.indexOf(':')).toLowerCase();
  if (!URI_SCHEMES.has(scheme)) return { status: 416, headers: [] };
  if (req.method === 'CANCEL') return undefined;
  const unsupported = req.headers
    .getAll('Require')
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '' && !SUPPORTED_OPTION_TAGS.has(t.toLowerCase()));
  if (unsupported.length > 0) return { status: 420, headers: [['Unsupported', unsupported.join(', ')]] };
  if (req.method !== 'INVITE') return undefined;
  const type = (req.headers.get('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (req.body.length > 0 && type !== '' && !INVITE_BODY_TYPES.has(type))
    return { status: 415, headers: [['Accept', 'application/sdp']] };
  const accepted = req.headers
    .getAll('Accept')
    .map((v) => v.split(';')[0]?.trim().toLowerCase() ?? '')
    .filter((v) => v !== '');
  if (accepted.length > 0 && !accepted.some((a) => a === 'application/sdp' || a === 'application/*' || a === '*/*'))
    return { status: 406, headers: [['Accept', 'application/sdp']] };
  return undefined;
}
