/**
 * SIP call setup against a sipp UAS on loopback (real UDP, real RTP sessions):
 *  1. sequential calls: INVITE → 200 → ACK setup time and BYE → 200 time, p50/p95;
 *  2. call setups per second with CONCURRENT calls in flight (answer then immediate BYE).
 */
import { cpus } from 'node:os';
import { startSipp } from '../test/sipp/sipp-harness';
import { startTestUa } from '../test/sipp/ua-fixture';
import type { CallLeg } from '../src/telephony/call/call-leg';

const SEQUENTIAL = 50;
const BURST = 200;
const CONCURRENT = 10;

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

function answered(leg: CallLeg): Promise<void> {
  return new Promise((resolve, reject) => {
    leg.on('answered', () => resolve());
    void leg.whenEnded().then((e) => reject(new Error(`call ended: ${e.outcome} ${e.detail ?? ''}`)));
  });
}

export async function run(): Promise<void> {
  const ua = await startTestUa({ sipTimers: { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 } });
  const sipp = await startSipp('uas-basic.xml', {
    calls: SEQUENTIAL + BURST,
    timeoutS: 120,
    extra: ['-l', String(CONCURRENT * 2)],
  });
  try {
    const setup: number[] = [];
    const bye: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const t0 = performance.now();
      const leg = ua.dial({
        target: `sip:+1415555${String(i).padStart(4, '0')}@127.0.0.1:${sipp.port}`,
        fromUser: '+15551234567',
        ringTimeoutMs: 5000,
      });
      await answered(leg);
      const t1 = performance.now();
      await leg.hangUp();
      setup.push(t1 - t0);
      bye.push(performance.now() - t1);
    }
    console.log(
      `sequential ${SEQUENTIAL} calls: setup (INVITE→200→ACK, incl. RTP port + socket) p50 ${pct(setup, 50).toFixed(2)} ms, p95 ${pct(setup, 95).toFixed(2)} ms; BYE→200 p50 ${pct(bye, 50).toFixed(2)} ms, p95 ${pct(bye, 95).toFixed(2)} ms`,
    );

    let next = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < BURST) {
        const i = next++;
        const leg = ua.dial({
          target: `sip:+1415666${String(i).padStart(4, '0')}@127.0.0.1:${sipp.port}`,
          fromUser: '+15551234567',
          ringTimeoutMs: 5000,
        });
        await answered(leg);
        await leg.hangUp();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT }, worker));
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${BURST} calls, ${CONCURRENT} in flight: ${(BURST / seconds).toFixed(1)} call setups+teardowns per second (${seconds.toFixed(2)} s)`,
    );
    const result = await sipp.done;
    console.log(
      `sipp exit code ${result.code} (0 = all ${SEQUENTIAL + BURST} calls passed); machine: ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    );
  } finally {
    sipp.kill();
    await ua.close();
  }
}
