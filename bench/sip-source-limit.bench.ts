/**
 * An OPTIONS flood from one "scanner" address against our SIP user agent core on real UDP
 * sockets, without and with the per-source token bucket (SIP_SOURCE_RATE_PER_SECOND=20,
 * SIP_SOURCE_BURST=100): requests answered and CPU per datagram (sender included);
 * plus the bucket's own cost per admission check.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { UserAgentCore } from '../src/telephony/sip/user-agent-core';
import { SourceRateLimiter } from '../src/telephony/sip/source-rate-limiter';

const FLOOD = 20_000;

function options(i: number, port: number): Buffer {
  return Buffer.from(
    `OPTIONS sip:probe@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.3:5099;branch=z9hG4bKscan${i}\r\n` +
      `From: <sip:scan@127.0.0.3>;tag=s${i}\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: scan-${i}@127.0.0.3\r\n` +
      `CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
  );
}

async function flood(limited: boolean): Promise<{ answered: number; cpuUsPerDatagram: number }> {
  const limiter = new SourceRateLimiter({ ratePerSecond: 20, burst: 100, nowMs: () => performance.now() });
  const core = await UserAgentCore.start({
    bindAddress: '127.0.0.1',
    port: 0,
    transports: ['udp'],
    ...(limited ? { admitRequest: (_req, src) => limiter.take(src.address).admitted } : {}),
  });
  const scanner = createSocket('udp4');
  scanner.bind(5099, '127.0.0.3');
  await once(scanner, 'listening');
  let answered = 0;
  scanner.on('message', () => answered++);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < FLOOD; i++) {
    scanner.send(options(i, core.port), core.port, '127.0.0.1');
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 500));
  const cpu = process.cpuUsage(cpu0);
  scanner.close();
  await core.close();
  return { answered, cpuUsPerDatagram: (cpu.user + cpu.system) / FLOOD };
}

export async function run(): Promise<void> {
  const open = await flood(false);
  const limited = await flood(true);
  console.log(
    `OPTIONS flood of ${FLOOD} from one source: unlimited answered ${open.answered}, ${open.cpuUsPerDatagram.toFixed(1)} µs CPU/datagram; ` +
      `limited (20/s, burst 100) answered ${limited.answered}, ${limited.cpuUsPerDatagram.toFixed(1)} µs CPU/datagram ` +
      `(ratio ${(open.cpuUsPerDatagram / limited.cpuUsPerDatagram).toFixed(2)}×; both include the sender's cost)`,
  );
  for (const span of [1000, 65_536]) {
    const limiter = new SourceRateLimiter({ ratePerSecond: 20, burst: 100, nowMs: () => performance.now() });
    const keys = Array.from({ length: span }, (_, i) => `10.0.${(i >> 8) & 255}.${i & 255}`);
    const N = 1_000_000;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) limiter.take(keys[i % span]!);
    const ns = ((performance.now() - t0) * 1e6) / N;
    console.log(
      `SourceRateLimiter.take over ${span} rotating sources (table bounded at 10000, now ${limiter.size}): ${ns.toFixed(0)} ns/check`,
    );
  }
}
