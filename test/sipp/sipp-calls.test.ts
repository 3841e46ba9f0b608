import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSipp, freePort, type SippRun } from './sipp-harness';
import { startTestUa } from './ua-fixture';
import type { CallAgent } from '../../src/telephony/call/call-agent';
import type { CallLeg } from '../../src/telephony/call/call-leg';
import { decodeMulaw, encodeMulaw, encodeAlaw } from '../../src/audio/g711';
import { verifyDigestAuthorization } from '../../src/telephony/sip/digest';

async function withPeers(
  fn: (ctx: {
    ua: CallAgent;
    run: (s: string, o?: Parameters<typeof startSipp>[1]) => Promise<SippRun>;
  }) => Promise<void>,
  uaOpts = {},
): Promise<void> {
  const ua = await startTestUa(uaOpts);
  const runs: SippRun[] = [];
  try {
    await fn({
      ua,
      run: async (s, o) => {
        const r = await startSipp(s, o);
        runs.push(r);
        return r;
      },
    });
  } finally {
    for (const r of runs) r.kill();
    await ua.close();
  }
}

const target = (s: SippRun, user = '+14155550199'): string => `sip:${user}@127.0.0.1:${s.port}`;

/** Resolves on `event`; rejects if the leg ends first (so a broken peer fails the test instead of hanging it). */
function once(leg: CallLeg, event: 'answered' | 'ringing' | 'hold' | 'resume'): Promise<void> {
  return new Promise((resolve, reject) => {
    leg.on(event, () => resolve());
    void leg
      .whenEnded()
      .then((e) =>
        reject(new Error(`leg ended (${e.outcome} ${e.sipStatus ?? ''} ${e.detail ?? ''}) before ${event}`)),
      );
  });
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('SIP calls against sipp', { concurrency: false, timeout: 30_000 }, () => {
  it('answered call with RTP both ways: echoed audio comes back byte for byte, then our BYE', async () => {
    await withPeers(async ({ ua, run }) => {
      const sipp = await run('uas-basic.xml', { extra: ['-rtp_echo'] });
      const leg = ua.dial({ target: target(sipp), fromUser: '+15551234567', ringTimeoutMs: 5000 });
      const received: Int16Array[] = [];
      await once(leg, 'answered');
      leg.media!.on('audio', (f) => received.push(f));
      // 40 frames of a deterministic pseudo-random signal
      const pcm = new Int16Array(160 * 40);
      let x = 12345;
      for (let i = 0; i < pcm.length; i++) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        pcm[i] = ((x >> 8) % 16000) - 8000;
      }
      leg.media!.sendAudio(pcm);
      // What the far end must hear: our PCM after mu-law (compared in the linear domain, where the
      // only G.711 ambiguity, +0/-0 codes, disappears).
      const sent = new Uint8Array(decodeMulaw(encodeMulaw(pcm)).buffer);
      const deadline = Date.now() + 4000;
      let found = -1;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        const all = new Int16Array(received.reduce((n, f) => n + f.length, 0));
        let o = 0;
        for (const f of received) {
          all.set(f, o);
          o += f.length;
        }
        found = indexOfBytes(new Uint8Array(all.buffer), sent);
        if (found >= 0) break;
      }
      assert.ok(found >= 0, 'the echoed audio contains every byte we sent, in order');
      await leg.hangUp();
      const end = await leg.whenEnded();
      assert.equal(end.outcome, 'completed');
      assert.equal(end.byRemote, false);
      assert.equal((await sipp.done).code, 0, 'sipp saw INVITE, ACK and BYE');
    });
  });

  it('183 with SDP: early media flows (echoed) before the 200, then answered', async () => {
    await withPeers(async ({ ua, run }) => {
      const sipp = await run('uas-early-media.xml', { extra: ['-rtp_echo'] });
      const leg = ua.dial({ target: target(sipp), fromUser: '+15551234567', ringTimeoutMs: 5000 });
      const order: string[] = [];
      let framesBeforeAnswer = 0;
      leg.on('ringing', () => order.push('ringing'));
      leg.on('earlyMedia', () => {
        order.push('earlyMedia');
        leg.media!.on('audio', () => leg.state === 'early' && framesBeforeAnswer++);
      });
      await once(leg, 'answered');
      order.push('answered');
      assert.deepEqual(order, ['ringing', 'earlyMedia', 'answered']);
      assert.ok(framesBeforeAnswer >= 5, `audio frames arrived during early media (${framesBeforeAnswer})`);
      await leg.hangUp();
      assert.equal((await sipp.done).code, 0);
    });
  });

  it('401 digest: credentials verified by sipp (verifyauth), call answered, then our BYE', async () => {
    await withPeers(async ({ ua, run }) => {
      const sipp = await run('uas-auth-401.xml');
      const leg = ua.dial({
        target: target(sipp),
        fromUser: 'alice',
        credentials: { username: 'alice', password: 'secret' },
        ringTimeoutMs: 5000,
      });
      const ringing = once(leg, 'ringing');
      await once(leg, 'answered');
      await ringing;
      await leg.hangUp();
      assert.equal((await leg.whenEnded()).outcome, 'completed');
      assert.equal((await sipp.done).code, 0);
      const trace = sipp.messages();
      assert.match(trace, /CSeq: 2 INVITE/, 'the authenticated INVITE uses CSeq + 1');
      assert.match(
        trace,
        /ACK sip:\+14155550199@127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*?CSeq: 1 ACK/,
        'the challenged INVITE was ACKed with its own CSeq',
      );
    });
  });

  it('wrong password → a second 401 → auth_failed', async () => {
    await withPeers(async ({ ua, run }) => {
      const sipp = await run('uas-auth-401.xml');
      const leg = ua.dial({
        target: target(sipp),
        fromUser: 'alice',
        credentials: { username: 'alice', password: 'wrong' },
        ringTimeoutMs: 5000,
      });
      const end = await leg.whenEnded();
      assert.equal(end.outcome, 'auth_failed');
      assert.equal(end.sipStatus, 401);
      assert.equal((await sipp.done).code, 0, 'sipp got the ACK for its second 401');
    });
  });

  it('407 digest: Proxy-Authorization sent with a correct response (checked by sipp regexp and by us)', async () => {
    await withPeers(async ({ ua, run }) => {
      const sipp = await run('uas-auth-407.xml');
      const leg = ua.dial({
        target: target(sipp),
        fromUser: 'alice',
        credentials: { username: 'alice', password: 's3cret' },
        ringTimeoutMs: 5000,
      });
      await once(leg, 'answered');
      assert.equal(leg.media!.media!.codec, 'PCMA');
      await leg.hangUp();
      assert.equal((await sipp.done).code, 0);
      const header = /Proxy-Authorization: (.*)/.exec(sipp.messages())?.[1] ?? '';
      assert.ok(
        verifyDigestAuthorization(header.trim(), 'INVITE', { username: 'alice', password: 's3cret' }),
        'digest response matches the password',
      );
      assert.ok(!verifyDigestAuthorization(header.trim(), 'INVITE', { username: 'alice', password: 'other' }));
    });
  });

  for (const [status, outcome] of [
    [486, 'busy'],
    [404, 'invalid_number'],
    [503, 'provider_error'],
    [603, 'rejected'],
  ] as const) {
    it(`${status} from the trunk → ${outcome}`, async () => {
      await withPeers(async ({ ua, run }) => {
        const sipp = await run('uas-status.xml', { vars: { status: String(status) } });
        const leg = ua.dial({ target: target(sipp), fromUser: '+15551234567', ringTimeoutMs: 5000 });
        const end = await leg.whenEnded();
        assert.deepEqual([end.outcome, end.sipStatus, end.byRemote], [outcome, status, true]);
        assert.equal((await sipp.done).code, 0, 'sipp got the ACK');
        assert.equal(leg.media?.closed ?? true, true, 'RTP session closed');
      });
    });
  }

  it('ringing without answer → CANCEL, 487, ACK → no_answer', async () => {
    await withPeers(async ({ ua, run }) => {
      const sipp = await run('uas-ring-cancel.xml');
      const leg = ua.dial({ target: target(sipp), fromUser: '+15551234567', ringTimeoutMs: 400 });
      await once(leg, 'ringing');
      const end = await leg.whenEnded();
      assert.deepEqual([end.outcome, end.sipStatus], ['no_answer', 487]);
      assert.equal((await sipp.done).code, 0, 'sipp saw CANCEL and the ACK of its 487');
      assert.equal(ua.media.pool.inUse, 0, 'RTP port released');
    });
  });

  it('unreachable trunk → provider_error after timer B (64*T1, T1 = 20 ms)', async () => {
    await withPeers(
      async ({ ua }) => {
        const port = await freePort();
        const leg = ua.dial({
          target: `sip:+14155550199@127.0.0.1:${port}`,
          fromUser: '+15551234567',
          ringTimeoutMs: 60_000,
        });
        const end = await leg.whenEnded();
        assert.equal(end.outcome, 'provider_error');
        assert.equal(end.sipStatus, undefined);
        assert.equal(ua.media.pool.inUse, 0);
      },
      { sipTimers: { t1Ms: 20, t2Ms: 80, t4Ms: 100 } },
    );
  });

  it('BYE from the far end ends the leg with byRemote', async () => {
    await withPeers(async ({ ua, run }) => {
      const sipp = await run('uas-answer-then-bye.xml');
      const leg = ua.dial({ target: target(sipp), fromUser: '+15551234567', ringTimeoutMs: 5000 });
      const end = await leg.whenEnded();
      assert.deepEqual([end.outcome, end.byRemote], ['completed', true]);
      assert.equal((await sipp.done).code, 0, 'sipp got 200 for its BYE');
      assert.equal(ua.media.pool.inUse, 0);
    });
  });

  it('re-INVITE hold (sendonly → we answer recvonly, media paused) and unhold', async () => {
    await withPeers(async ({ ua, run }) => {
      const sipp = await run('uas-hold-unhold.xml');
      const leg = ua.dial({ target: target(sipp), fromUser: '+15551234567', ringTimeoutMs: 5000 });
      const events: string[] = [];
      leg.on('hold', () => events.push(`hold:${String(leg.onHold)}`));
      leg.on('resume', () => events.push(`resume:${String(leg.onHold)}`));
      const end = await leg.whenEnded();
      assert.deepEqual(events, ['hold:true', 'resume:false']);
      assert.deepEqual([end.outcome, end.byRemote], ['completed', true]);
      assert.equal((await sipp.done).code, 0, 'sipp checked a=recvonly then a=sendrecv in our answers');
    });
  });

  it('REFER blind transfer: 202, NOTIFY sipfrag 100 then 200 → ok', async () => {
    await withPeers(async ({ ua, run }) => {
      const sipp = await run('uas-refer.xml');
      const leg = ua.dial({ target: target(sipp), fromUser: '+15551234567', ringTimeoutMs: 5000 });
      await once(leg, 'answered');
      const result = await leg.transfer('sip:+14155550123@127.0.0.1');
      assert.deepEqual(result, { ok: true, sipStatus: 200 });
      await leg.hangUp();
      assert.equal((await sipp.done).code, 0);
      assert.match(sipp.messages(), /Refer-To: <sip:\+14155550123@127\.0\.0\.1>/);
    });
  });

  it('inbound call from a sipp UAC playing g711a.pcap: we receive and decode its audio', async () => {
    await withPeers(async ({ ua, run }) => {
      const frames: Int16Array[] = [];
      const answered = new Promise<CallLeg>((resolve) => {
        ua.on('incomingCall', (call) => {
          assert.equal(call.fromUser, '+14155550100');
          assert.equal(call.toUser, '+15550001111');
          void call.accept().then((leg) => {
            leg.media!.on('audio', (f) => frames.push(f));
            resolve(leg);
          });
        });
      });
      const sipp = await run('uac-pcap.xml', { remote: `127.0.0.1:${ua.port}` });
      const leg = await answered;
      const end = await leg.whenEnded();
      assert.deepEqual([end.outcome, end.byRemote], ['completed', true]);
      assert.equal((await sipp.done).code, 0);
      assert.equal(leg.media!.media!.codec, 'PCMA');
      // The pcap's RTP payloads (A-law) must appear, decoded, in what we received.
      const payload = pcapRtpPayloads('/usr/share/sip-tester/g711a.pcap');
      const got = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
      let o = 0;
      for (const f of frames) {
        got.set(f, o);
        o += f.length;
      }
      const gotAlaw = encodeAlaw(got);
      const middle = payload.subarray(2400, 4800); // 300 ms from the middle of the prompt
      assert.ok(indexOfBytes(gotAlaw, middle) >= 0, 'decoded audio matches the pcap payload');
    });
  });

  it('DTMF from sipp RFC 2833 pcaps arrives as the right digits', async () => {
    await withPeers(async ({ ua, run }) => {
      const digits: string[] = [];
      const answered = new Promise<CallLeg>((resolve) => {
        ua.on(
          'incomingCall',
          (call) =>
            void call.accept().then((leg) => {
              leg.on('dtmf', (d) => digits.push(`${d.digit}/${d.source}`));
              resolve(leg);
            }),
        );
      });
      const sipp = await run('uac-dtmf.xml', { remote: `127.0.0.1:${ua.port}` });
      const leg = await answered;
      await leg.whenEnded();
      assert.equal((await sipp.done).code, 0);
      assert.deepEqual(digits, ['1/rfc4733', '5/rfc4733', '#/rfc4733']);
    });
  });

  it('DTMF by SIP INFO (application/dtmf-relay) is reported', async () => {
    await withPeers(async ({ ua, run }) => {
      const digits: string[] = [];
      ua.on(
        'incomingCall',
        (call) => void call.accept().then((leg) => leg.on('dtmf', (d) => digits.push(`${d.digit}/${d.source}`))),
      );
      const sipp = await run('uac-info-dtmf.xml', { remote: `127.0.0.1:${ua.port}` });
      assert.equal((await sipp.done).code, 0);
      assert.deepEqual(digits, ['7/info']);
    });
  });

  it('TCP transport: call answered and hung up over TCP', async () => {
    await withPeers(async ({ ua, run }) => {
      const sipp = await run('uas-basic.xml', { tcp: true });
      const leg = ua.dial({ target: target(sipp), transport: 'tcp', fromUser: '+15551234567', ringTimeoutMs: 5000 });
      await once(leg, 'answered');
      await leg.hangUp();
      assert.equal((await sipp.done).code, 0);
      assert.match(sipp.messages(), /Via: SIP\/2\.0\/TCP/);
    });
  });

  it('OPTIONS answered 200 with Allow; unknown method 501; SUBSCRIBE 405', async () => {
    await withPeers(async ({ ua, run }) => {
      const sipp = await run('uac-options.xml', { remote: `127.0.0.1:${ua.port}` });
      assert.equal((await sipp.done).code, 0);
    });
  });

  it('OPTIONS ping from us to sipp gets an answer; to a dead port it times out', async () => {
    await withPeers(
      async ({ ua, run }) => {
        const sipp = await run('uas-registrar.xml');
        const res = await ua.options(`sip:127.0.0.1:${sipp.port}`);
        assert.ok('response' in res && res.response.status === 200);
        sipp.kill();
        const dead = await ua.options(`sip:127.0.0.1:${await freePort()}`);
        assert.ok('timeout' in dead);
      },
      { sipTimers: { t1Ms: 20, t2Ms: 80, t4Ms: 100 } },
    );
  });
});

/** RTP payload bytes of every UDP packet in a classic pcap (Ethernet/IPv4/UDP/RTP, 12-byte RTP header). */
function pcapRtpPayloads(path: string): Uint8Array {
  const buf = readFileSync(path);
  const le = buf.readUInt32LE(0) === 0xa1b2c3d4;
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20);
  const chunks: Buffer[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const caplen = u32(off + 8);
    const pkt = buf.subarray(off + 16, off + 16 + caplen);
    off += 16 + caplen;
    const ipOff = linkType === 1 ? 14 : linkType === 113 ? 16 : 0;
    const ihl = ((pkt[ipOff] ?? 0) & 0x0f) * 4;
    if (pkt[ipOff + 9] !== 17) continue;
    const rtp = pkt.subarray(ipOff + ihl + 8);
    const cc = (rtp[0] ?? 0) & 0x0f;
    if (((rtp[1] ?? 0) & 0x7f) !== 8) continue;
    chunks.push(rtp.subarray(12 + cc * 4));
  }
  return new Uint8Array(Buffer.concat(chunks));
}
