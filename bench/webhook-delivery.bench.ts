/**
 * Webhook figures on SQLite (in memory) with a real loopback receiver:
 * - outbox emit cost (one event → 1 endpoint + legacy URL, in a transaction),
 * - end-to-end delivery throughput and emit→receive latency through the real job queue + worker,
 * - blocking incoming round trip (resolveIncoming → signed POST → parsed config).
 */
import { createApiHarness } from '../test/support/api-harness';
import { WebhookReceiver } from '../src/webhooks/testing/webhook-receiver';

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

export async function run(): Promise<void> {
  const rx = await WebhookReceiver.start();
  const h = await createApiHarness('sqlite', { startWebhookWorkers: { sweepIntervalMs: 1000 } });
  try {
    const org = await h.createOrg();
    await h.request('POST', '/v1/developer/webhook-endpoints', {
      key: org.apiKey,
      body: { label: 'bench', url: rx.url('/e') },
    });
    await h.request('PUT', '/v1/webhook', { key: org.apiKey, body: { url: rx.url('/legacy') } });
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    rx.script = (req) => {
      const n = (JSON.parse(req.raw.toString()) as { data: { n: number } }).data.n;
      const t = sentAt.get(n);
      if (t !== undefined && req.path === '/e') latencies.push(performance.now() - t);
      return { status: 200 };
    };
    const N = 300;
    const emitMs: number[] = [];
    const start = performance.now();
    for (let n = 0; n < N; n++) {
      const t0 = performance.now();
      sentAt.set(n, t0);
      await h.deps.store.db
        .transaction()
        .execute((trx) =>
          h.deps.webhooks.emit(trx, { orgId: org.id, type: 'telephony.complete', data: { n, call_id: n } }),
        );
      emitMs.push(performance.now() - t0);
    }
    while (rx.requests.length < 2 * N && performance.now() - start < 60_000)
      await new Promise((r) => setTimeout(r, 10));
    const totalS = (performance.now() - start) / 1000;
    console.log(
      `outbox emit (2 targets, in a transaction): p50 ${pct(emitMs, 50).toFixed(2)} ms, p95 ${pct(emitMs, 95).toFixed(2)} ms`,
    );
    console.log(
      `delivered ${rx.requests.length}/${2 * N} requests in ${totalS.toFixed(2)} s → ${(rx.requests.length / totalS).toFixed(0)} deliveries/s (worker concurrency 8)`,
    );
    console.log(
      `emit→receive latency (endpoint): p50 ${pct(latencies, 50).toFixed(1)} ms, p95 ${pct(latencies, 95).toFixed(1)} ms`,
    );

    rx.script = () => ({ status: 200, body: JSON.stringify({ prompt: 'Bench', voice: 'en-US-James1' }) });
    const incoming: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      const d = await h.deps.webhooks.resolveIncoming({
        orgId: org.id,
        callId: i,
        fromNumber: '+15550000001',
        toNumber: '+15550000002',
      });
      if (d.kind !== 'config') throw new Error(`unexpected fallback ${d.reason}`);
      incoming.push(performance.now() - t0);
    }
    console.log(
      `blocking incoming (endpoint + legacy asked in parallel): p50 ${pct(incoming, 50).toFixed(1)} ms, p95 ${pct(incoming, 95).toFixed(1)} ms`,
    );
  } finally {
    await rx.close();
    await h.close();
  }
}
