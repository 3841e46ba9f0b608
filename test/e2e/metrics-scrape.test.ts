import { randomRtpBase, serverEnv } from './support/server-env';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { openStore, type Store } from '../../src/store/db';
import { testDialects } from '../support/dialects';
import { until } from '../support/until';
import { startFakeOpenAiLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { WebhookReceiver } from '../../src/webhooks/testing/webhook-receiver';
import { answeringTrunk } from './support/trunk-scenarios';
import { insertSippTrunkNumber } from './support/trunk-rows';
import { makeWorkDir, speechUlaw, startSipp } from './support/sipp-runner';
import { startServerProcess, type ServerProcess } from './support/server-process';
import { enqueueDial, insertQueuedCall, serverDatabaseUrl } from './support/server-database';

/*
 * GET /metrics of a real server process: 401 without the token, Prometheus text with it, and the
 * series an operator watches move after one real call over sipp (ended calls by status and end
 * reason, setup time, RTP packets, webhook outcomes), next to the event-loop lag, queue depth and
 * worker load gauges.
 */

const TOKEN = 'metrics-token-for-the-test';

async function scrape(server: ServerProcess): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return res.text();
}

/** The value of one sample (`name{labels} value`), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_:]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return 0;
}

/** The sum of every series of one metric (all label sets), e.g. sessions over all media workers. */
function sumSamples(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) sum += Number(m[3]);
  }
  return sum;
}

for (const dialect of testDialects())
  describe(`GET /metrics [${dialect}]`, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    test('token required; the series change after one real call', async () => {
      const dir = makeWorkDir();
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const llm = await startFakeOpenAiLlmServer(['Hello, this is Acme.', 'Glad to help.']);
      const stt = await startFakeOpenAiSttServer(['Hi, I would like to know more.']);
      const rx = await WebhookReceiver.start();
      cleanups.push(
        () => llm.close(),
        () => stt.close(),
        () => rx.close(),
      );
      const secretKey = randomBytes(32);
      const databaseUrl = await serverDatabaseUrl(dialect, dir, cleanups, 'tp_metrics');
      const env = serverEnv({
        databaseUrl,
        secretKey,
        dir,
        llmBaseUrl: llm.baseUrl,
        sttBaseUrl: stt.baseUrl,
        rtpBase: randomRtpBase(),
        extra: { METRICS_TOKEN: TOKEN },
      });
      const server = await startServerProcess(env);
      cleanups.push(() => server.stop());

      const anonymous = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      assert.equal(anonymous.status, 401);
      assert.equal(((await anonymous.json()) as { code: string }).code, 'invalid_metrics_token');
      const wrong = await fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: { authorization: 'Bearer x' } });
      assert.equal(wrong.status, 401);
      assert.equal(
        (
          await fetch(`http://127.0.0.1:${server.port}/metrics`, {
            headers: { authorization: `Bearer ${server.apiKey}` },
          })
        ).status,
        401,
        'a tenant API key is not the metrics token',
      );

      const before = await scrape(server);
      const ended = { direction: 'outbound', status: 'completed', end_reason: 'caller_hangup' };
      assert.equal(sample(before, 'thunderphone_calls_ended_total', ended), 0);
      assert.equal(sample(before, 'thunderphone_call_setup_seconds_count'), 0);
      assert.ok(before.includes('thunderphone_nodejs_eventloop_lag_seconds'), 'event-loop lag is exported');
      // RTP runs in media worker threads (MEDIA_WORKERS=auto): one series per worker.
      assert.equal(sumSamples(before, 'thunderphone_worker_sessions'), 0);
      assert.match(before, /thunderphone_worker_utilization_ratio\{worker="media-0"\} [0-9.e-]+/);

      const ep = await server.api('POST', '/v1/developer/webhook-endpoints', {
        label: 'metrics',
        url: rx.url('/hook'),
      });
      assert.equal(ep.status, 201);
      const trunk = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: speechUlaw(dir, 'tt-weasels', 1.0, 1.5), hangUpAfterMs: 6000 }),
        transport: 'udp',
        workDir: dir,
        timeoutS: 60,
      });
      cleanups.push(() => trunk.kill());
      const store: Store = await openStore(databaseUrl);
      cleanups.push(() => store.destroy());
      const org = await store.db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
      const from = `+1555${String(process.pid % 1000).padStart(3, '0')}7${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
      await insertSippTrunkNumber(store.db, { orgId: org.id, secretKey, sippPort: trunk.port, number: from });
      const call = await insertQueuedCall(store, { orgId: org.id, from });
      await enqueueDial(store, call.id);
      const row = () => store.db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow();
      await until('the call is answered', async () => (await row()).answered_at !== null, 30_000);
      const during = await scrape(server);
      assert.equal(sample(during, 'thunderphone_active_calls'), 1, 'the live call is counted');
      assert.equal(sumSamples(during, 'thunderphone_worker_sessions'), 1, 'the live call is on a media worker');
      await until('the call ends', async () => (await row()).status !== 'in_progress', 30_000);
      await until('telephony.complete is delivered', () =>
        rx.requests.some((r) => JSON.parse(r.raw.toString('utf8')).type === 'telephony.complete'),
      );

      let after = '';
      await until('the webhook attempt is counted', async () => {
        after = await scrape(server);
        return sample(after, 'thunderphone_webhook_attempts_total', { outcome: 'delivered' }) >= 1;
      });
      assert.equal((await row()).end_reason, 'caller_hangup');
      assert.equal(sample(after, 'thunderphone_calls_ended_total', ended), 1);
      assert.equal(sample(after, 'thunderphone_active_calls'), 0);
      assert.equal(sample(after, 'thunderphone_call_setup_seconds_count', { direction: 'outbound' }), 1);
      assert.ok(sample(after, 'thunderphone_call_setup_seconds_sum', { direction: 'outbound' }) > 0);
      assert.ok(sample(after, 'thunderphone_rtp_packets_received_total') > 100, 'the trunk streamed speech');
      assert.equal(sample(after, 'thunderphone_rtp_jitter_seconds_count'), 1);
      assert.ok(sample(after, 'thunderphone_webhook_attempt_seconds_count', { outcome: 'delivered' }) >= 1);
      assert.ok(sample(after, 'thunderphone_voice_to_voice_seconds_count') >= 1, 'the caller got an answer');
    });
  });
