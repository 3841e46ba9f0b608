/**
 * sipp scenarios that play a customer's SIP trunk (UAS) or a caller (UAC) in end-to-end tests.
 * Every trunk challenges the INVITE with a 401 digest (realm sipp.test, user alice / secret).
 */

export const TRUNK_USER = 'alice';
export const TRUNK_PASSWORD = 'secret';

/** sipp refuses variables that are assigned but never used: capture the dialog only when a scenario sends in-dialog requests. */
const captureDialog = (capture: boolean, extra = '') => `
    <action>${extra}${
      capture
        ? `
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="remote_from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="local_to"/>
      <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" check_it="true" assign_to="remote_contact"/>`
        : ''
    }
      <verifyauth assign_to="authvalid" username="${TRUNK_USER}" password="${TRUNK_PASSWORD}"/>
    </action>`;

const challenge = (capture: boolean, extraActions = '') => `
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[
SIP/2.0 401 Unauthorized
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
WWW-Authenticate: Digest realm="sipp.test", nonce="[pid]abc[call_number]", algorithm=MD5, qop="auth"
Content-Length: 0

]]></send>
  <recv request="ACK"/>
  <recv request="INVITE" crlf="true">${captureDialog(capture, extraActions)}
  </recv>`;

/** Answers (re-challenging) with 401 when the credentials are wrong, as real trunks do. */
const rejectBadAuth = `
  <nop hide="true" test="authvalid" next="goodauth"/>
  <send><![CDATA[
SIP/2.0 401 Unauthorized
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag02[call_number]
[last_Call-ID:]
[last_CSeq:]
WWW-Authenticate: Digest realm="sipp.test", nonce="[pid]xyz[call_number]", algorithm=MD5, qop="auth"
Content-Length: 0

]]></send>
  <recv request="ACK" next="end"/>
  <label id="goodauth"/>`;

const response = (status: string, extra = '') => `
  <send><![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag09[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:trunk@[local_ip]:[local_port];transport=[transport]>
${extra}Content-Length: 0

]]></send>`;

const okWithSdp = `
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag09[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:trunk@[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=trunk 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
a=sendrecv

]]></send>
  <recv request="ACK" crlf="true"/>`;

const trunkBye = `
  <send retrans="500"><![CDATA[
BYE [$remote_contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: [$local_to];tag=[pid]SIPpTag09[call_number]
To: [$remote_from]
[last_Call-ID:]
CSeq: 1 BYE
Max-Forwards: 70
Contact: <sip:trunk@[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
  <recv response="200" crlf="true"/>`;

const okToRequest = `
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>`;

const wrap = (name: string, body: string) =>
  `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n<scenario name="${name}">${body}\n  <label id="end"/>\n</scenario>\n`;

export interface AnswerOptions {
  /** Headerless µ-law file streamed once after the answer. */
  audioPath?: string;
  /** How long after the answer the trunk hangs up; omit to wait for our BYE instead. */
  hangUpAfterMs?: number;
  ringMs?: number;
  /** Advertise this RTP port in the SDP instead of sipp's: a test's own socket then receives our audio. */
  sdpMediaPort?: number;
}

/** Challenges, rings, answers with PCMU, streams speech, then hangs up (or waits for our BYE). */
export function answeringTrunk(o: AnswerOptions): string {
  const play = o.audioPath ? `\n  <nop><action><exec rtp_stream="${o.audioPath},1,0"/></action></nop>` : '';
  const ending =
    o.hangUpAfterMs !== undefined
      ? `\n  <pause milliseconds="${o.hangUpAfterMs}"/>${trunkBye}`
      : `\n  <recv request="BYE" timeout="60000"/>${okToRequest}`;
  return wrap(
    'trunk answers',
    `${challenge(o.hangUpAfterMs !== undefined)}${rejectBadAuth}${response('100 Trying')}${response('180 Ringing')}
  <pause milliseconds="${o.ringMs ?? 200}"/>${
    o.sdpMediaPort === undefined ? okWithSdp : okWithSdp.replace('m=audio [media_port]', `m=audio ${o.sdpMediaPort}`)
  }${play}${ending}`,
  );
}

/** Challenges, then answers 486 Busy Here. */
export function busyTrunk(): string {
  return wrap('trunk busy', `${challenge(false)}${rejectBadAuth}${response('486 Busy Here')}\n  <recv request="ACK"/>`);
}

/** Challenges, rings, and never answers: expects our CANCEL. */
export function ringingTrunk(): string {
  return wrap(
    'trunk rings forever',
    `${challenge(false)}${rejectBadAuth}${response('180 Ringing')}
  <recv request="CANCEL" timeout="60000"/>${okToRequest}
  <send><![CDATA[
SIP/2.0 487 Request Terminated
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag09[call_number]
[last_Call-ID:]
CSeq: [cseq] INVITE
Content-Length: 0

]]></send>
  <recv request="ACK"/>`,
  );
}

/** Answers, streams speech, then accepts a REFER (202 + NOTIFY 200) and expects our BYE. */
export function transferringTrunk(o: { audioPath?: string }): string {
  const play = o.audioPath ? `\n  <nop><action><exec rtp_stream="${o.audioPath},1,0"/></action></nop>` : '';
  return wrap(
    'trunk accepts REFER',
    `${challenge(true)}${rejectBadAuth}${response('180 Ringing')}${okWithSdp}${play}
  <recv request="REFER" timeout="60000"/>
  <send><![CDATA[
SIP/2.0 202 Accepted
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:trunk@[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
  <send retrans="500"><![CDATA[
NOTIFY [$remote_contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: [$local_to];tag=[pid]SIPpTag09[call_number]
To: [$remote_from]
[last_Call-ID:]
CSeq: 2 NOTIFY
Max-Forwards: 70
Event: refer
Subscription-State: terminated;reason=noresource
Contact: <sip:trunk@[local_ip]:[local_port];transport=[transport]>
Content-Type: message/sipfrag;version=2.0
Content-Length: [len]

SIP/2.0 200 OK
]]></send>
  <recv response="200" crlf="true"/>
  <recv request="BYE" timeout="60000"/>${okToRequest}`,
  );
}

/**
 * A caller (UAC) that dials `service` at our SIP port, streams speech and hangs up. With `auth`
 * it answers our 401 challenge (ACK, then the INVITE again with CSeq 2 and digest credentials).
 */
export function callingPhone(o: {
  audioPath: string;
  hangUpAfterMs: number;
  auth?: { username: string; password: string };
}): string {
  const invite = (cseq: number, extra: string) => `
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+15557654321@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: ${cseq} INVITE
Contact: <sip:+15557654321@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70${extra}
Content-Type: application/sdp
Content-Length: [len]

v=0
o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=ptime:20

]]></send>`;
  const challenge = o.auth
    ? `
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>${invite(2, `\n[authentication username=${o.auth.username} password=${o.auth.password}]`)}`
    : '';
  const base = o.auth ? 2 : 1;
  return wrap(
    'caller',
    `${invite(1, '')}${challenge}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+15557654321@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: ${base} ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <nop><action><exec rtp_stream="${o.audioPath},1,0"/></action></nop>
  <pause milliseconds="${o.hangUpAfterMs}"/>
  <send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+15557654321@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: ${base + 1} BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" crlf="true"/>`,
  );
}

/**
 * One trunk for a whole campaign: it answers by the dialed number (the To user). Numbers with
 * `busyMark` in them get 486 Busy Here, numbers with `ringMark` ring until our CANCEL (no answer),
 * numbers with `voicemailMark` are answered by an answering machine (`voicemail.audioPath`, a
 * headerless µ-law greeting + beep streamed as RTP) that waits for our BYE, every other number is
 * answered and hung up after `hangUpAfterMs`. Run it with `maxCalls` ≥ the calls expected.
 */
export function routingTrunk(o: {
  busyMark: string;
  ringMark: string;
  hangUpAfterMs: number;
  voicemail?: { mark: string; audioPath: string };
}): string {
  const vm = o.voicemail;
  const routeActions = `
      <ereg regexp="${o.busyMark}" search_in="hdr" header="To:" check_it="false" assign_to="isbusy"/>
      <ereg regexp="${o.ringMark}" search_in="hdr" header="To:" check_it="false" assign_to="isring"/>${
        vm
          ? `
      <ereg regexp="${vm.mark}" search_in="hdr" header="To:" check_it="false" assign_to="isvm"/>`
          : ''
      }`;
  const route = `
  <nop hide="true" test="isbusy" next="busy"/>
  <nop hide="true" test="isring" next="ring"/>${vm ? '\n  <nop hide="true" test="isvm" next="voicemail"/>' : ''}`;
  const machine = vm
    ? `
  <label id="voicemail"/>${response('180 Ringing')}
  <pause milliseconds="200"/>${okWithSdp}
  <nop><action><exec rtp_stream="${vm.audioPath},1,0"/></action></nop>
  <recv request="BYE" timeout="60000"/>${okToRequest}
  <nop hide="true" next="end"/>`
    : '';
  return wrap(
    'campaign trunk',
    `${challenge(true, routeActions)}${rejectBadAuth}${route}${response('100 Trying')}${response('180 Ringing')}
  <pause milliseconds="200"/>${okWithSdp}
  <pause milliseconds="${o.hangUpAfterMs}"/>${trunkBye}
  <nop hide="true" next="end"/>${machine}
  <label id="busy"/>${response('486 Busy Here')}
  <recv request="ACK" next="end"/>
  <label id="ring"/>${response('180 Ringing')}
  <recv request="CANCEL" timeout="60000"/>${okToRequest}
  <send><![CDATA[
SIP/2.0 487 Request Terminated
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag09[call_number]
[last_Call-ID:]
CSeq: [cseq] INVITE
Content-Length: 0

]]></send>
  <recv request="ACK"/>`,
  );
}
