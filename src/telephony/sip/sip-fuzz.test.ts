import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createConnection } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RFC4475_MESSAGES, tortureBytes } from './testing/rfc4475-messages';
import { mutate, SeededRandom } from './testing/sip-mutator';
import { tcpProbe, udpProbe } from './testing/wire-probe';
import { UserAgentCore } from './user-agent-core';

/**
 * A bounded fuzz run in the normal suite: a few thousand deterministic mutations of valid SIP
 * messages over UDP and TCP against one started user agent (with an INVITE delegate that
 * rejects). At the end the agent still answers OPTIONS on both transports, its transaction
 * state has drained, and its heap is back near where it started.
 */
const UDP_MESSAGES = 3000;
const TCP_MESSAGES = 1000;
const BATCH = 100;

const message = (lines: string[], body = ''): Buffer =>
  Buffer.from([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));

function seeds(via: string): Buffer[] {
  const common = (method: string, n: number): string[] => [
    `Via: ${via};branch=z9hG4bKseed${n};rport`,
    'Max-Forwards: 70',
    `From: "Fuzz" <sip:fuzz@127.0.0.1>;tag=f${n}`,
    'To: <sip:thunderphone@127.0.0.1>',
    `Call-ID: seed-${n}@127.0.0.1`,
    `CSeq: ${n} ${method}`,
  ];
  const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
  return [
    message(['OPTIONS sip:thunderphone@127.0.0.1 SIP/2.0', ...common('OPTIONS', 1)]),
    message(
      [
        'INVITE sip:+15550100@127.0.0.1 SIP/2.0',
        ...common('INVITE', 2),
        'Contact: <sip:fuzz@127.0.0.1>',
        'Content-Type: application/sdp',
      ],
      sdp,
    ),
    message([
      'BYE sip:thunderphone@127.0.0.1 SIP/2.0',
      ...common('BYE', 3).map((l) => l.replace(/^To: (.*)$/, 'To: $1;tag=x')),
    ]),
    message(['CANCEL sip:+15550100@127.0.0.1 SIP/2.0', ...common('CANCEL', 2)]),
    message(['ACK sip:+15550100@127.0.0.1 SIP/2.0', ...common('ACK', 2)]),
    message(['SIP/2.0 200 OK', ...common('OPTIONS', 4)]),
    ...RFC4475_MESSAGES.filter((m) =>
      ['wsinv', 'intmeth', 'esc01', 'longreq', 'mpart01', 'inv2543'].includes(m.name),
    ).map(tortureBytes),
  ];
}

/** The V8 garbage collector, also without --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > timeoutMs) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SIP fuzzing (seeded, bounded)', () => {
  it(`${UDP_MESSAGES} mutated messages over UDP and ${TCP_MESSAGES} over TCP: alive, answering, memory back`, async () => {
    const gc = collector();
    const core = await UserAgentCore.start({
      bindAddress: '127.0.0.1',
      port: 0,
      sipTimers: { t1Ms: 20, t2Ms: 80, t4Ms: 100 }, // transaction state drains within 64·T1 = 1.3 s
      limits: { tcpHeaderTimeoutMs: 300 },
    });
    core.delegate = { onInvite: (invite) => invite.reject(486) };
    const target = { address: '127.0.0.1', port: core.port };
    // Fuzz from a loopback address of its own: the per-source budget it may exhaust is not the sentinel's.
    const fuzzUdp = createSocket('udp4');
    const sentinelUdp = await udpProbe(target);
    try {
      const fuzzAddress = await new Promise<string>((resolve, reject) => {
        fuzzUdp.once('error', reject);
        fuzzUdp.bind(0, `127.${30 + (process.pid % 200)}.0.9`, () => resolve(fuzzUdp.address().address));
      });
      const rnd = new SeededRandom(4475);
      const udpSeeds = seeds(`SIP/2.0/UDP ${fuzzAddress}:${fuzzUdp.address().port}`);
      let sentinels = 0;
      const answers = async (): Promise<void> => {
        // A lost datagram (full socket buffer under load) is retried; the agent must answer one of them.
        for (let attempt = 0; ; attempt++) {
          const id = `sentinel-${++sentinels}`;
          sentinelUdp.send(
            message([
              'OPTIONS sip:thunderphone@127.0.0.1 SIP/2.0',
              `Via: SIP/2.0/UDP 127.0.0.1:${sentinelUdp.port};branch=z9hG4bK${id};rport`,
              'From: <sip:sentinel@127.0.0.1>;tag=s',
              'To: <sip:thunderphone@127.0.0.1>',
              `Call-ID: ${id}`,
              `CSeq: ${sentinels} OPTIONS`,
            ]),
          );
          try {
            const ok = await sentinelUdp.waitFor((r) => r.headers.get('Call-ID') === id, 3000);
            return assert.equal(ok.status, 200);
          } catch (err) {
            if (attempt >= 4) throw err;
          }
        }
      };

      const runUdp = async (count: number): Promise<void> => {
        for (let i = 1; i <= count; i++) {
          fuzzUdp.send(mutate(rnd.pick(udpSeeds), rnd), target.port, target.address);
          // Same process: yield so the agent reads its socket before the kernel buffer overflows.
          if (i % 4 === 0) await new Promise((r) => setImmediate(r));
          if (i % BATCH === 0) await answers();
        }
      };

      await runUdp(200); // warm-up: code paths compiled, pools allocated
      await until(() => core.serverTransactionCount === 0, 'the warm-up transactions to end');
      gc();
      const heapBefore = process.memoryUsage().heapUsed;

      await runUdp(UDP_MESSAGES);

      const tcpSeeds = seeds('SIP/2.0/TCP 127.0.0.1:5060');
      for (let sent = 0; sent < TCP_MESSAGES;) {
        const socket = createConnection(target);
        socket.on('error', () => undefined);
        socket.on('data', () => undefined);
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        for (let i = 0; i < 50 && sent < TCP_MESSAGES; i++, sent++) {
          if (!socket.destroyed) socket.write(mutate(rnd.pick(tcpSeeds), rnd));
        }
        socket.destroy();
        if (sent % BATCH === 0) await answers();
      }
      await answers();
      const tcp = await tcpProbe(target);
      tcp.send(
        message([
          'OPTIONS sip:thunderphone@127.0.0.1 SIP/2.0',
          `Via: SIP/2.0/TCP 127.0.0.1:${tcp.port};branch=z9hG4bKtcpfinal`,
          'From: <sip:sentinel@127.0.0.1>;tag=s',
          'To: <sip:thunderphone@127.0.0.1>',
          'Call-ID: tcp-final',
          'CSeq: 1 OPTIONS',
        ]),
      );
      assert.equal(
        (await tcp.waitFor((r) => r.headers.get('Call-ID') === 'tcp-final')).status,
        200,
        'TCP still answers',
      );
      await tcp.close();
      await until(() => core.serverTransactionCount === 0, 'the transaction state to drain');
      sentinelUdp.responses.length = 0;
      gc();
      const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1_048_576;
      console.log(`heap after the run: ${grownMb.toFixed(1)} MB above the warm-up baseline`);
      assert.ok(grownMb < 24, `heap grew ${grownMb.toFixed(1)} MB over the run`);
    } finally {
      fuzzUdp.close();
      await sentinelUdp.close();
      await core.close();
    }
  });
});
