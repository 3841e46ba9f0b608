import { buildDigestAuthorization, parseDigestChallenge, type DigestCredentials } from './digest';
import { SipHeaders } from './headers';
import type { SipRequest, SipResponse } from './message';
import type { SipTransportKind } from './transport/sip-transport';
import { parseSipUri } from './uri';
import type { UserAgentServices } from './user-agent-services';

export type RequestResult = { response: SipResponse } | { timeout: true } | { error: string };

export interface OutOfDialogRequest {
  method: string;
  target: string;
  transport?: SipTransportKind | undefined;
  fromUser?: string;
  headers?: Array<[string, string]>;
  credentials?: DigestCredentials | undefined;
  toUri?: string;
  callId?: string;
  cseq?: number;
}

/**
 * A one-off non-INVITE request outside any dialog (OPTIONS ping, REGISTER check): resolves with its
 * final response, answering one 401/407 digest challenge (RFC 3261 §22.2: same Call-ID, CSeq + 1).
 */
export async function sendOutOfDialogRequest(core: UserAgentServices, o: OutOfDialogRequest): Promise<RequestResult> {
  const uri = parseSipUri(o.target);
  if (!uri) return { error: `invalid SIP URI ${o.target}` };
  const transport = o.transport ?? (uri.params.get('transport') === 'tcp' ? 'tcp' : 'udp');
  const callId = o.callId ?? core.newCallId();
  const from = `<sip:${o.fromUser ?? 'thunderphone'}@${core.publicUriHost}>;tag=${core.newTag()}`;
  const to = `<${o.toUri ?? o.target}>`;
  let cseq = o.cseq ?? 1;
  let auth: [string, string] | undefined;
  for (let round = 0; round < 2; round++) {
    const h: Array<[string, string]> = [
      ['Max-Forwards', '70'],
      ['From', from],
      ['To', to],
      ['Call-ID', callId],
      ['CSeq', `${cseq} ${o.method}`],
      ['Contact', core.contact(transport, o.fromUser)],
      ['User-Agent', core.userAgentName],
      ...(o.headers ?? []),
    ];
    if (auth) h.push(auth);
    const req: SipRequest = {
      kind: 'request',
      method: o.method,
      uri: o.target,
      headers: SipHeaders.from(h),
      body: Buffer.alloc(0),
    };
    const result = await new Promise<RequestResult>((resolve) => {
      core.sendRequest(req, core.remoteFor(o.target, transport), {
        onResponse: (res) => res.status >= 200 && resolve({ response: res }),
        onTimeout: () => resolve({ timeout: true }),
      });
    });
    if (!('response' in result)) return result;
    const res = result.response;
    if ((res.status === 401 || res.status === 407) && o.credentials && round === 0) {
      const challenge = parseDigestChallenge(
        res.headers.get(res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate') ?? '',
      );
      if (!challenge) return result;
      auth = [
        res.status === 401 ? 'Authorization' : 'Proxy-Authorization',
        buildDigestAuthorization(challenge, o.credentials, o.method, o.target, core.ids.token('', 8)),
      ];
      cseq += 1;
      continue;
    }
    return result;
  }
  return { error: 'unreachable' };
}
