import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SipResponse } from './message';
import { RFC4475_MESSAGES, tortureBytes, type TortureMessage } from './testing/rfc4475-messages';
import { tcpProbe, udpProbe, type WireProbe } from './testing/wire-probe';
import { UserAgentCore } from './user-agent-core';

/**
 * RFC 4475 against a real started user agent core (UDP and TCP sockets, no INVITE delegate, so
 * an accepted INVITE is answered 100 then 480). For each message: the statuses it gets, in order
 * (retransmissions not repeated); [] is deliberate silence (responses we have no transaction for,
 * and malformed responses, are dropped). Where the RFC allows a choice, the note says which.
 */
interface Expected {
  udp: number[];
  /** Over TCP when different; `closed`: we close the connection (unrecoverable framing). */
  tcp?: { statuses: number[]; closed: boolean };
  note?: string;
}

const INVITE_ACCEPTED = [100, 480];
const EXPECTED: Record<string, Expected> = {
  // §3.1.1 valid messages: all accepted.
  wsinv: {
    udp: [481],
    note: 'well formed (leading zeros in Max-Forwards and CSeq, folding, no magic cookie); its To tag names a dialog we do not have',
  },
  intmeth: { udp: [501], note: 'unknown method: 501' },
  esc01: { udp: INVITE_ACCEPTED },
  escnull: { udp: [405], note: 'parsed; REGISTER is not a method of ours' },
  esc02: { udp: [501], note: 'RE%47IST%45R is an unknown method' },
  lwsdisp: { udp: [200] },
  longreq: { udp: INVITE_ACCEPTED },
  dblreq: {
    udp: [405],
    tcp: { statuses: [405], closed: true },
    note: 'UDP: the trailing INVITE octets are ignored; TCP: they are a second message whose Content-Length runs past its end, so the stream is lost',
  },
  semiuri: { udp: [200] },
  transports: { udp: [200] },
  mpart01: { udp: [405], note: 'binary body with NULs framed by Content-Length; MESSAGE is not a method of ours' },
  unreason: { udp: [], note: 'a response without a transaction: dropped' },
  noreason: { udp: [] },
  // §3.1.2 invalid messages.
  badinv01: { udp: [400], note: 'unreadable Via: the 400 goes back to the source' },
  clerr: {
    udp: [400],
    tcp: { statuses: [], closed: true },
    note: 'TCP: waits for the body; the header-read timeout closes it',
  },
  ncl: { udp: [400], tcp: { statuses: [], closed: true }, note: 'TCP: unrecoverable framing, connection closed' },
  scalar02: { udp: [400] },
  scalarlg: { udp: [] },
  quotbal: { udp: [400] },
  ltgtruri: { udp: [400] },
  lwsruri: { udp: [400] },
  lwsstart: { udp: [400], note: 'the RFC allows being liberal; we reject' },
  trws: { udp: [400], note: 'the RFC allows being liberal; we reject' },
  escruri: { udp: [400] },
  baddate: { udp: INVITE_ACCEPTED, note: 'the Date header is not used, so not judged' },
  regbadct: { udp: [405], note: 'REGISTER is refused before its Contact matters (a registrar would say 400)' },
  badaspec: { udp: [400] },
  baddn: { udp: [400] },
  badvers: { udp: [505] },
  mismatch01: { udp: [400] },
  mismatch02: { udp: [400], note: 'the RFC prefers 501, allows 400' },
  bigcode: { udp: [] },
  // §3.2 transaction layer.
  badbranch: { udp: [200], note: 'a bare magic cookie is matched RFC 2543-style' },
  // §3.3 application layer.
  insuf: { udp: [400] },
  unkscm: { udp: [416] },
  novelsc: { udp: [416] },
  unksm2: { udp: [405], note: 'parsed; REGISTER is not a method of ours' },
  bext01: { udp: [420] },
  invut: { udp: [415] },
  regaut01: { udp: [405] },
  multi01: { udp: [400] },
  mcl01: {
    udp: [400],
    tcp: { statuses: [400], closed: true },
    note: 'TCP: framed by the first Content-Length, answered 400, the rest is unframeable',
  },
  bcast: { udp: [] },
  zeromf: { udp: [200], note: 'a UAS processes Max-Forwards: 0 normally' },
  cparam01: { udp: [405] },
  cparam02: { udp: [405] },
  regescrt: { udp: [405] },
  sdp01: { udp: [406] },
  inv2543: {
    udp: INVITE_ACCEPTED,
    tcp: { statuses: [], closed: true },
    note: 'no Content-Length: fine in a datagram, a framing error on TCP',
  },
};

const callIdOf = (m: TortureMessage): string | undefined =>
  /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im.exec(
    tortureBytes(m)
      .toString('latin1')
      .split(/\r\n\r\n/)[0] ?? '',
  )?.[1];

const sentinel = (n: number, probe: WireProbe): string =>
  [
    'OPTIONS sip:thunderphone@127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/${probe.kind.toUpperCase()} ${probe.address}:${probe.port};branch=z9hG4bKsentinel${n};rport`,
    'Max-Forwards: 70',
    'From: <sip:corpus@127.0.0.1>;tag=c',
    'To: <sip:thunderphone@127.0.0.1>',
    `Call-ID: sentinel-${n}`,
    `CSeq: ${n} OPTIONS`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

/** Distinct statuses of the responses to `m` (same Call-ID, or none when it has none), in order. */
function statusesFor(m: TortureMessage, responses: SipResponse[]): number[] {
  const callId = callIdOf(m);
  const mine = responses.filter((r) => r.headers.get('Call-ID') === callId);
  return [...new Set(mine.map((r) => r.status))];
}

/**
 * A fresh user agent per message: the RFC's messages reuse branches and sent-bys
 * (`z9hG4bKkdjuw` from the same hosts), so on one agent a later message would rightly be taken
 * for a retransmission of an earlier one (RFC 3261 §17.2.3).
 */
async function withCore<T>(fn: (port: number) => Promise<T>): Promise<T> {
  const core = await UserAgentCore.start({ bindAddress: '127.0.0.1', port: 0, limits: { tcpHeaderTimeoutMs: 1500 } });
  try {
    return await fn(core.port);
  } finally {
    await core.close();
  }
}

describe('RFC 4475 torture messages against a started user agent', () => {
  it('every message of the RFC has an expectation', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), RFC4475_MESSAGES.map((m) => m.name).sort());
  });

  it('over UDP (from port 5060, where responses without rport go)', async () => {
    const probe = await udpProbe({ address: '127.0.0.1', port: 0 }, { fromPort5060: true, alsoPorts: [5050] });
    try {
      const got: Record<string, number[]> = {};
      let n = 0;
      for (const m of RFC4475_MESSAGES) {
        got[m.name] = await withCore(async (port) => {
          probe.target = { address: '127.0.0.1', port };
          const before = probe.responses.length;
          probe.send(tortureBytes(m));
          probe.send(sentinel(++n, probe));
          const id = `sentinel-${n}`;
          await probe.waitFor((r) => r.headers.get('Call-ID') === id);
          return statusesFor(m, probe.responses.slice(before));
        });
      }
      const want = Object.fromEntries(RFC4475_MESSAGES.map((m) => [m.name, EXPECTED[m.name]?.udp]));
      assert.deepEqual(differences(got, want), []);
    } finally {
      await probe.close();
    }
  });

  it('over TCP (one connection per message)', async () => {
    const got: Record<string, { statuses: number[]; closed: boolean }> = {};
    let n = 1000;
    for (const m of RFC4475_MESSAGES) {
      got[m.name] = await withCore(async (port) => {
        const probe = await tcpProbe({ address: '127.0.0.1', port });
        probe.send(tortureBytes(m));
        probe.send(sentinel(++n, probe));
        const id = `sentinel-${n}`;
        const quiet = (): undefined => undefined;
        await Promise.race([
          probe.waitFor((r) => r.headers.get('Call-ID') === id).then(quiet, quiet),
          probe.waitClosed().then(quiet, quiet),
        ]);
        const outcome = { statuses: statusesFor(m, probe.responses), closed: probe.closed };
        await probe.close();
        return outcome;
      });
    }
    const want = Object.fromEntries(
      RFC4475_MESSAGES.map((m) => {
        const e = EXPECTED[m.name];
        return [m.name, e?.tcp ?? { statuses: e?.udp ?? [], closed: false }];
      }),
    );
    assert.deepEqual(differences(got, want), []);
  });
});

/** One line per message whose outcome differs: `name: got … expected …`. */
function differences(got: Record<string, unknown>, want: Record<string, unknown>): string[] {
  return Object.keys(want)
    .filter((k) => JSON.stringify(got[k]) !== JSON.stringify(want[k]))
    .map((k) => `${k}: got ${JSON.stringify(got[k])} expected ${JSON.stringify(want[k])}`);
}
