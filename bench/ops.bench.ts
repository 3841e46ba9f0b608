/**
 * Operations figures: what the multi-server pieces cost per call and per scrape.
 * - TRUNK_CALLS_PER_SECOND slot reservation in the database (trunk_dial_slots), per dialect:
 *   one reservation per outbound call, sequential and 8 at once (PostgreSQL: row lock contention);
 *   compared with the former in-memory limiter (a Map update).
 * - GET /metrics rendering (prom-client text) with the series of a busy process.
 */
import { randomBytes } from 'node:crypto';
import { openTestStore, testDialects } from '../test/support/dialects';
import { insertSippTrunkNumber } from '../test/e2e/support/trunk-rows';
import { seedOrg } from '../src/calls/testing/call-fixtures';
import { TrunkDialSlots } from '../src/calls/trunk-dial-slots';
import { FakeClock, systemClock } from '../src/shared/clock';
import { PrometheusMetrics } from '../src/ops/prometheus-metrics';

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

export async function run(): Promise<void> {
  for (const dialect of testDialects()) {
    const store = await openTestStore(dialect);
    try {
      const orgId = await seedOrg(store, new FakeClock(), 1000);
      const { voipId } = await insertSippTrunkNumber(store.db, {
        orgId,
        secretKey: randomBytes(32),
        sippPort: 5999,
        number: '+15550100009',
      });
      const slots = new TrunkDialSlots(store.db, dialect, systemClock, 10_000);
      await slots.reserve(voipId);
      const N = 500;
      const each: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < N; i++) {
        const s = performance.now();
        await slots.reserve(voipId);
        each.push(performance.now() - s);
      }
      const seqS = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      for (let i = 0; i < N / 8; i++) await Promise.all(Array.from({ length: 8 }, () => slots.reserve(voipId)));
      const parS = (performance.now() - t1) / 1000;
      console.log(
        `trunk slot reservation [${dialect}]: p50 ${pct(each, 50).toFixed(2)} ms, p99 ${pct(each, 99).toFixed(2)} ms, ` +
          `${Math.round(N / seqS)}/s sequential, ${Math.round(N / parS)}/s 8 at once`,
      );
    } finally {
      await store.destroy();
    }
  }
  const map = new Map<string, number>();
  const m0 = performance.now();
  for (let i = 0; i < 100_000; i++) map.set('voip:1', Math.max(i, map.get('voip:1') ?? 0) + 200);
  console.log(`former in-memory limiter: ${((performance.now() - m0) / 100).toFixed(3)} µs per reservation`);

  const metrics = new PrometheusMetrics();
  metrics.attach({ activeCalls: () => 200, queueDepth: async () => ({ 'calls.dial': 3, 'webhooks.deliver': 12 }) });
  const reasons = ['caller_hangup', 'agent_end', 'error', 'busy', 'no_answer', 'timeout'];
  for (let i = 0; i < 10_000; i++) {
    metrics.callEnded({ direction: i % 2 ? 'inbound' : 'outbound', status: 'completed', endReason: reasons[i % 6]! });
    metrics.callSetup('outbound', 300 + (i % 700));
    metrics.voiceToVoice(400 + (i % 900));
    metrics.rtpCall({ jitterMs: (i % 20) / 4, packetsReceived: 3000, packetsLost: i % 3 });
    metrics.webhookAttempt(i % 10 ? 'delivered' : 'retry_scheduled', 20 + (i % 200));
  }
  const scrapes: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 200; i++) {
    const s = performance.now();
    bytes = (await metrics.text()).length;
    scrapes.push(performance.now() - s);
  }
  console.log(
    `GET /metrics rendering: p50 ${pct(scrapes, 50).toFixed(2)} ms, p99 ${pct(scrapes, 99).toFixed(2)} ms (${bytes} bytes)`,
  );
}
