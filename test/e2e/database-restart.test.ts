import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { SecretBox } from '../../src/shared/secret-box';
import { startFakeOpenAiLlmServer, type FakeLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer, type FakeSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { WebhookReceiver } from '../../src/webhooks/testing/webhook-receiver';
import { verifySignature } from '../../src/webhooks/testing/webhook-fixture';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { answeringTrunk, TRUNK_PASSWORD, TRUNK_USER } from './support/trunk-scenarios';
import { makeWorkDir, speechUlaw, startSipp, type SippProcess } from './support/sipp-runner';
import { startServerProcess, type ServerProcess } from './support/server-process';
import { randomRtpBase, serverEnv } from './support/server-env';
import { untilValue } from '../support/until';

/*
 * PostgreSQL restarts while a real server process (src/main.ts, as `npm start` runs it) has a live
 * call with a sipp trunk: the process survives, RTP and the agent keep going, the call ends on the
 * wire when the trunk hangs up and is finalized once the database is back — one debit with the
 * reference call:<id>, one signed telephony.complete — and the API works again. The database is a
 * private PostgreSQL of this test (the shared one is never restarted). STT and LLM are scripted
 * FAKE OpenAI-compatible servers on loopback; TTS is the real espeak-ng.
 */
const GREETING = 'Hello, Acme Dental front desk.';
const REPLY = 'Oh no. A technician is on the way.';
const HEARD = 'Weasels have eaten our phone system.';
const OUTAGE_LINE = 'database unavailable: calls keep running; database work waits and is retried';

/** One short-lived connection per question: the test's own reads never depend on a pool across restarts. */
async function queryDb<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end().catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CallRow {
  id: number;
  status: string;
  phase: string | null;
  end_reason: string | null;
  answered_at: string | null;
  end_time: string | null;
  billable_minutes: number | null;
  transcript: string;
  metrics: string;
}

describe('a PostgreSQL restart during a live call', () => {
  let pgServer: PrivatePostgres;
  let dbUrl: string;
  let server: ServerProcess;
  let llm: FakeLlmServer;
  let stt: FakeSttServer;
  let rx: WebhookReceiver;
  let workDir: string;
  let secretKey: Buffer;
  let webhookSecret: string;
  let orgId: number;
  const sipps: SippProcess[] = [];

  before(async () => {
    workDir = makeWorkDir();
    pgServer = await startPrivatePostgres();
    dbUrl = await pgServer.createDatabase('tp_restart');
    llm = await startFakeOpenAiLlmServer([GREETING, REPLY, GREETING, REPLY]);
    stt = await startFakeOpenAiSttServer([HEARD, HEARD]);
    rx = await WebhookReceiver.start();
    secretKey = randomBytes(32);
    server = await startServerProcess(
      serverEnv({
        databaseUrl: dbUrl,
        secretKey,
        dir: workDir,
        llmBaseUrl: llm.baseUrl,
        sttBaseUrl: stt.baseUrl,
        rtpBase: randomRtpBase(),
        extra: { LOG_LEVEL: 'info' },
      }),
    );
    assert.ok(server.apiKey, 'the first start created the development org');
    const ep = await server.api('POST', '/v1/developer/webhook-endpoints', { label: 'restart', url: rx.url('/hook') });
    assert.equal(ep.status, 201);
    webhookSecret = ep.body.secret;
    orgId = (await queryDb<{ id: number }>(dbUrl, 'select id from orgs order by id limit 1'))[0]!.id;
  });
  after(async () => {
    for (const s of sipps) await s.kill();
    await server?.stop();
    await rx?.close();
    await llm?.close();
    await stt?.close();
    await pgServer?.destroy();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** A sipp trunk, its VoIP connection and a verified number (written straight into the server's database). */
  async function trunkAndNumber(hangUpAfterMs: number, audio: string): Promise<{ sipp: SippProcess; from: string }> {
    const sipp = await startSipp({
      scenarioXml: answeringTrunk({ audioPath: audio, hangUpAfterMs }),
      transport: 'udp',
      workDir,
      timeoutS: 60,
    });
    sipps.push(sipp);
    const now = new Date().toISOString();
    const credentials = new SecretBox(secretKey).sealJson({ username: TRUNK_USER, password: TRUNK_PASSWORD });
    const [voip] = await queryDb<{ id: number }>(
      dbUrl,
      `insert into voip_connections (org_id, name, provider, setup_method, status, inferred_name, sip_config,
         credentials_enc, created_at, updated_at)
       values ($1, 'sipp trunk', 'manual', 'manual', 'connected', 0, $2, $3, $4, $4) returning id`,
      [orgId, JSON.stringify({ host: '127.0.0.1', port: sipp.port, transport: 'udp' }), credentials, now],
    );
    const from = `+1555${String(process.pid % 1000).padStart(3, '0')}${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    await queryDb(
      dbUrl,
      `insert into phone_numbers (org_id, number, source, status, voip_connection_id, voip_verification_status,
         created_at, updated_at)
       values ($1, $2, 'voip', 'active', $3, 'verified', $4, $4)`,
      [orgId, from, voip!.id, now],
    );
    return { sipp, from };
  }

  async function placeCall(from: string): Promise<number> {
    const placed = await server.api('POST', '/v1/call', {
      from_number: from,
      to_number: '+15550123456',
      config: { prompt: 'You are the front desk of Acme Dental.', voice: 'en-US-James1', product: 'spark' },
    });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    return placed.body.call_id as number;
  }

  const callRow = async (id: number): Promise<CallRow | undefined> =>
    (await queryDb<CallRow>(dbUrl, 'select * from calls where id = $1', [id]))[0];

  const completeHooks = (callId: number) =>
    rx.requests.filter((r) => {
      const body = JSON.parse(r.raw.toString('utf8') || '{}');
      return body.type === 'telephony.complete' && body.data?.call_id === callId;
    });

  /** Finalized once: terminal row, one debit call:<id>, one signed telephony.complete (and no second one). */
  async function assertFinalizedOnce(callId: number): Promise<CallRow> {
    const row = await untilValue(
      'the call is finalized',
      async () => {
        const r = await callRow(callId);
        return r && r.status !== 'in_progress' ? r : undefined;
      },
      30_000,
    );
    const ledger = await queryDb<{ amount_cents: number; reference: string }>(
      dbUrl,
      'select amount_cents, reference from ledger_entries where call_id = $1',
      [callId],
    );
    assert.deepEqual(
      ledger.map((e) => [Number(e.amount_cents), e.reference]),
      [[-2, `call:${callId}`]],
    );
    const [hook] = await untilValue(
      'telephony.complete delivered',
      async () => {
        const hooks = completeHooks(callId);
        return hooks.length > 0 ? hooks : undefined;
      },
      30_000,
    );
    assert.ok(verifySignature(webhookSecret, hook!.raw, hook!.headers['x-thunderphone-signature']));
    const body = JSON.parse(hook!.raw.toString('utf8'));
    assert.equal(body.data.status, row.status);
    assert.equal(body.data.end_reason, row.end_reason);
    // The webhook sweeper runs every 5 s: give a duplicate the time to show up.
    await sleep(6000);
    assert.equal(completeHooks(callId).length, 1, 'telephony.complete delivered once');
    return row;
  }

  test('restart while talking: the call goes on, ends when the trunk hangs up, is finalized once; the API is back', async () => {
    // The caller speaks 6.5 s after the answer, i.e. after the database is back; the trunk hangs up at 14 s.
    const audio = speechUlaw(workDir, 'tt-weasels', 6.5, 8.0);
    const { sipp, from } = await trunkAndNumber(14_000, audio);
    const callId = await placeCall(from);
    await untilValue(
      'the call is answered',
      async () => ((await callRow(callId))?.answered_at ? true : undefined),
      20_000,
    );

    await sleep(1500);
    await pgServer.stop('fast');
    const during = await server.api('GET', '/v1/calls');
    assert.equal(during.status, 503);
    assert.deepEqual(during.body, {
      detail: 'The database is unavailable; retry shortly.',
      code: 'database_unavailable',
    });
    const health = await server.api('GET', '/v1/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.body.ok, false);
    assert.equal(health.body.checks.database.status, 'down');
    assert.ok(health.body.checks.database.reason, 'with a reason');
    await sleep(2500);
    await pgServer.start();

    assert.equal(await sipp.exited, 0, `the trunk's scenario ran to its end (BYE answered): ${sipp.diagnostics()}`);
    const row = await assertFinalizedOnce(callId);
    assert.equal(server.child.exitCode, null, 'the server process survived');
    assert.equal(row.status, 'completed');
    assert.equal(row.end_reason, 'caller_hangup');
    assert.equal(row.billable_minutes, 1);

    // The agent kept listening and answering after the restart: the caller's words and the reply.
    const turns = JSON.parse(row.transcript) as { role: string; content: string }[];
    assert.deepEqual(
      turns.filter((t) => t.role === 'user' || t.role === 'assistant').map((t) => t.role),
      ['assistant', 'user', 'assistant'],
      JSON.stringify(turns),
    );
    assert.equal(turns.find((t) => t.role === 'user')?.content, HEARD);
    // RTP kept flowing through the outage: the trunk streams for the whole call, 50 packets a second.
    const metrics = JSON.parse(row.metrics) as { caller_frames: number; agent_frames: number };
    const talkMs = Date.parse(row.end_time!) - Date.parse(row.answered_at!);
    assert.ok(
      metrics.caller_frames > (talkMs / 20) * 0.8,
      `caller frames ${metrics.caller_frames} for ${talkMs} ms of call`,
    );
    assert.ok(metrics.agent_frames > 0);

    // The API answers again, and the logs told the story: one outage warning, then the recovery.
    const got = await untilValue(
      'the API answers',
      async () => {
        const r = await server.api('GET', `/v1/calls/${callId}`);
        return r.status === 200 ? r : undefined;
      },
      30_000,
    );
    assert.equal(got.body.status, 'completed');
    const healthAfter = await server.api('GET', '/v1/healthz');
    assert.equal(healthAfter.body.ok, true, JSON.stringify(healthAfter.body));
    assert.equal(healthAfter.body.checks.database.status, 'ok');
    const lines = server.logLines();
    const outages = lines.filter((l) => l.msg === OUTAGE_LINE);
    assert.equal(outages.length, 1, `one outage warning: ${JSON.stringify(outages)}`);
    assert.equal(outages[0]?.level, 'warn');
    assert.ok(lines.some((l) => l.msg === 'database available again' && l.level === 'info'));
    assert.deepEqual(
      lines.filter((l) => l.level === 'error' || l.level === 'fatal').map((l) => l.msg),
      [],
      'no error lines',
    );
  });

  test('the trunk hangs up while PostgreSQL is down (crash restart): hung up at once, finalized once the database is back', async () => {
    const audio = speechUlaw(workDir, 'tt-weasels', 1.0, 3.0);
    const { sipp, from } = await trunkAndNumber(4000, audio);
    const callId = await placeCall(from);
    await untilValue(
      'the call is answered',
      async () => ((await callRow(callId))?.answered_at ? true : undefined),
      20_000,
    );
    await sleep(1000);
    await pgServer.stop('immediate');
    // The BYE comes while the database is down; our UA still answers it at once.
    assert.equal(await sipp.exited, 0, `BYE answered during the outage: ${sipp.diagnostics()}`);
    await sleep(1500);
    const backAtMs = Date.now();
    await pgServer.start();

    const row = await assertFinalizedOnce(callId);
    assert.equal(server.child.exitCode, null, 'the server process survived');
    assert.equal(row.status, 'completed');
    assert.equal(row.end_reason, 'caller_hangup');
    assert.ok(
      Date.parse(row.end_time!) < backAtMs,
      'the call ended when the trunk hung up, not when the database came back',
    );
    assert.equal((await server.api('GET', `/v1/calls/${callId}`)).body.status, 'completed');
  });
});
