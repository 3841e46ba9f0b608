import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { openStore, type Store } from '../../src/store/db';
import { systemClock } from '../../src/shared/clock';
import { silentLogger } from '../../src/shared/log';
import { DbJobQueue } from '../../src/jobs/db-job-queue';
import { PgBossJobQueue } from '../../src/jobs/pg-boss-job-queue';
import pg from 'pg';
import { TEST_PG_URL, testDialects } from '../support/dialects';
import { DIAL_QUEUE } from '../../src/calls/call-runtime';
import { startFakeOpenAiLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { WebhookReceiver } from '../../src/webhooks/testing/webhook-receiver';
import { verifySignature } from '../../src/webhooks/testing/webhook-fixture';
import { answeringTrunk } from './support/trunk-scenarios';
import { insertSippTrunkNumber } from './support/trunk-rows';
import { makeWorkDir, speechUlaw, startSipp, type SippProcess } from './support/sipp-runner';
import { startServerProcess } from './support/server-process';
import { randomRtpBase, serverEnv } from './support/server-env';

/*
 * A server process is killed with SIGKILL in the middle of an answered call. A new process on the
 * same SQLite file recovers the call at start: it sends the trunk (sipp) a BYE from the dialog
 * persisted at answer time, then the terminal state (completed, end_reason error), billed once
 * for the answered time it knew of, and the signed telephony.complete still reaches the receiver.
 * The servers are started exactly as `npm start` does, from DATABASE_URL: a SQLite file, or a
 * fresh PostgreSQL database made for this test and dropped after it.
 */
async function databaseUrl(dialect: string, dir: string, cleanups: (() => Promise<void> | void)[]): Promise<string> {
  if (dialect === 'sqlite') return `sqlite:${join(dir, 'tp.db')}`;
  const name = `tp_crash_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.unshift(async () => {
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

for (const dialect of testDialects())
  describe(`a server killed mid-call [${dialect}]`, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    test('kill -9 while talking; the next start sends the trunk a BYE, ends the call completed / error, bills it once, sends the webhook', async () => {
      const dir = makeWorkDir();
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const llm = await startFakeOpenAiLlmServer(['Hello, this is Acme.']);
      const stt = await startFakeOpenAiSttServer(['Hi.']);
      const rx = await WebhookReceiver.start();
      cleanups.push(
        () => llm.close(),
        () => stt.close(),
        () => rx.close(),
      );
      const secretKey = randomBytes(32);
      const dbUrl = await databaseUrl(dialect, dir, cleanups);
      const env = serverEnv({
        databaseUrl: dbUrl,
        secretKey,
        dir,
        llmBaseUrl: llm.baseUrl,
        sttBaseUrl: stt.baseUrl,
        rtpBase: randomRtpBase(),
      });
      const first = await startServerProcess(env);
      cleanups.push(() => void first.child.kill('SIGKILL'));
      assert.ok(first.apiKey, 'the first start created the development org');
      const ep = await first.api('POST', '/v1/developer/webhook-endpoints', {
        label: 'crash test',
        url: rx.url('/hook'),
      });
      assert.equal(ep.status, 201);
      const { secret } = ep.body as { secret: string };

      const audio = speechUlaw(dir, 'tt-weasels', 1.0, 20.0);
      const sipp: SippProcess = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: audio }),
        transport: 'udp',
        workDir: dir,
        timeoutS: 40,
      });
      cleanups.push(() => sipp.kill());

      // The trunk, the number and the call row + dial job, written into the server's database.
      const store: Store = await openStore(dbUrl);
      cleanups.push(() => store.destroy());
      const org = await store.db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
      const now = new Date().toISOString();
      const from = `+1555${String(process.pid % 1000).padStart(3, '0')}9${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
      await insertSippTrunkNumber(store.db, { orgId: org.id, secretKey, sippPort: sipp.port, number: from });
      const call = await store.db
        .insertInto('calls')
        .values({
          org_id: org.id,
          direction: 'outbound',
          from_number: from,
          to_number: '+15550123456',
          status: 'in_progress',
          config: JSON.stringify({
            prompt: 'Be brief.',
            voice: 'en-US-James1',
            product: 'spark',
            tools: [],
            speak_order: 'agent_first',
          }),
          variables: '{}',
          product: 'spark',
          voice: 'en-US-James1',
          transcript: '[]',
          metrics: '{}',
          is_test_call: 0,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (store.dialect === 'sqlite')
        await new DbJobQueue(store, systemClock, silentLogger).enqueue(DIAL_QUEUE, { callId: call.id });
      else {
        const boss = new PgBossJobQueue(store, silentLogger);
        await boss.enqueue(DIAL_QUEUE, { callId: call.id });
        await boss.stop(100);
      }

      // Wait until the call is answered and has run a little, then kill the process hard.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const row = await store.db
          .selectFrom('calls')
          .select(['phase', 'answered_at'])
          .where('id', '=', call.id)
          .executeTakeFirstOrThrow();
        if (row.answered_at) break;
        if (Date.now() > deadline) throw new Error(`call not answered (phase ${row.phase}): ${sipp.diagnostics()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // The confirmed dialog is on the row from the answer on: what lets the next process hang up the trunk.
      const answered = await store.db
        .selectFrom('calls')
        .select(['sip_call_id', 'sip_dialog'])
        .where('id', '=', call.id)
        .executeTakeFirstOrThrow();
      assert.ok(answered.sip_call_id, 'sip_call_id is set when the call is answered');
      assert.equal(JSON.parse(answered.sip_dialog ?? '{}').dialog?.callId, answered.sip_call_id);
      await new Promise((r) => setTimeout(r, 1500));
      first.child.kill('SIGKILL');
      await first.exited;
      assert.equal(
        (await store.db.selectFrom('calls').select('status').where('id', '=', call.id).executeTakeFirstOrThrow())
          .status,
        'in_progress',
      );

      const second = await startServerProcess(env);
      cleanups.push(() => second.stop());
      const deadline2 = Date.now() + 15_000;
      let hook: { type: string; data: Record<string, unknown> } | undefined;
      while (!hook) {
        const req = rx.requests.find((r) => JSON.parse(r.raw.toString('utf8')).type === 'telephony.complete');
        if (req) {
          assert.ok(verifySignature(secret, req.raw, req.headers['x-thunderphone-signature']));
          hook = JSON.parse(req.raw.toString('utf8'));
        } else if (Date.now() > deadline2) throw new Error('no telephony.complete after the restart');
        else await new Promise((r) => setTimeout(r, 100));
      }
      // The trunk got a BYE from the new process (the scenario waits for it and answers 200: exit 0).
      assert.equal(await sipp.exited, 0, `the trunk received no BYE: ${sipp.diagnostics()}`);
      assert.equal(
        rx.requests.filter((r) => {
          const b = JSON.parse(r.raw.toString('utf8'));
          return b.type === 'telephony.complete' && b.data.call_id === call.id;
        }).length,
        1,
        'finalized once',
      );
      assert.equal(hook.data.call_id, call.id);
      assert.equal(hook.data.status, 'completed');
      assert.equal(hook.data.end_reason, 'error');
      const row = await store.db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'completed');
      assert.equal(row.billable_minutes, 1);
      const ledger = await store.db.selectFrom('ledger_entries').selectAll().where('call_id', '=', call.id).execute();
      assert.deepEqual(
        ledger.map((e) => e.amount_cents),
        [-2],
      );
    });
  });
