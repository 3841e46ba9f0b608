import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { openStore, type Store } from '../../src/store/db';
import { parseInstanceId } from '../../src/calls/instance-id';
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
import { randomRtpBase, serverEnv } from './support/server-env';

/*
 * Two real server processes on one PostgreSQL database (what "several servers behind a load
 * balancer" means here) share the dial queue: calls are placed through both, then one server is
 * killed with SIGKILL mid-call. The other recovers the dead server's calls (completed / error,
 * billed for what was known), ends its own normally (completed / caller_hangup), every call is
 * billed exactly once, the trunk saw exactly one dial per call, and the webhook receiver got
 * exactly one telephony.complete per call.
 */

const CALLS = 4;

describe(
  'two servers on one PostgreSQL database, one killed mid-call',
  { skip: !testDialects().includes('postgres') },
  () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    test('kill -9 one: the other recovers its calls; each billed once, dialed once, one webhook each', async () => {
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
      const databaseUrl = await serverDatabaseUrl('postgres', dir, cleanups, 'tp_two');
      const envFor = (rtpBase: number) =>
        serverEnv({
          databaseUrl,
          secretKey,
          dir,
          llmBaseUrl: llm.baseUrl,
          sttBaseUrl: stt.baseUrl,
          rtpBase,
          rtpPorts: 100,
        });
      const rtpBase = randomRtpBase();
      const a = await startServerProcess(envFor(rtpBase));
      cleanups.push(() => void a.child.kill('SIGKILL'));
      const b = await startServerProcess(envFor(rtpBase + 200));
      cleanups.push(() => void b.child.kill('SIGKILL'));
      const ep = await a.api('POST', '/v1/developer/webhook-endpoints', { label: 'two servers', url: rx.url('/hook') });
      assert.equal(ep.status, 201);

      const trunk = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: speechUlaw(dir, 'tt-weasels', 0.5, 1.0), hangUpAfterMs: 15_000 }),
        transport: 'udp',
        workDir: dir,
        timeoutS: 90,
        maxCalls: CALLS,
        extraArgs: ['-trace_msg'],
      });
      cleanups.push(() => trunk.kill());
      const store: Store = await openStore(databaseUrl);
      cleanups.push(() => store.destroy());
      const org = await store.db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
      const from = `+1555${String(process.pid % 1000).padStart(3, '0')}6${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
      await insertSippTrunkNumber(store.db, { orgId: org.id, secretKey, sippPort: trunk.port, number: from });

      // Calls through both: the shared queue hands a job to whichever server polls first, so each
      // batch is placed while the other server is paused (SIGSTOP, a few seconds: its calls go on).
      const serverOf = (owner: string | null): ServerProcess | undefined => {
        const pid = owner ? parseInstanceId(owner)?.pid : undefined;
        return [a, b].find((s) => s.child.pid === pid);
      };
      const ids: number[] = [];
      const owners = async () =>
        store.db.selectFrom('calls').select(['id', 'owner_instance', 'answered_at']).where('id', 'in', ids).execute();
      for (const [taker, paused] of [
        [a, b],
        [b, a],
      ] as const) {
        paused.child.kill('SIGSTOP');
        try {
          for (let i = 0; i < CALLS / 2; i++) {
            const to = `+1555010${String(ids.length).padStart(4, '0')}`;
            const call = await insertQueuedCall(store, { orgId: org.id, from, to });
            ids.push(call.id);
            await enqueueDial(store, call.id);
          }
          await until(
            'every call is answered',
            async () => (await owners()).every((r) => r.answered_at !== null),
            40_000,
          );
        } finally {
          paused.child.kill('SIGCONT');
        }
        assert.ok((await owners()).some((r) => serverOf(r.owner_instance) === taker));
      }
      const rows = await owners();
      const victim = serverOf(rows[0]!.owner_instance)!;
      const survivor = victim === a ? b : a;
      assert.ok(
        rows.some((r) => serverOf(r.owner_instance) === survivor),
        `both servers run calls: ${JSON.stringify(rows)} a=${a.child.pid} b=${b.child.pid}`,
      );
      const victimCalls = rows.filter((r) => serverOf(r.owner_instance) === victim).map((r) => r.id);
      const survivorCalls = rows.filter((r) => serverOf(r.owner_instance) === survivor).map((r) => r.id);
      cleanups.push(() => survivor.stop());

      victim.child.kill('SIGKILL');
      await victim.exited;
      await until(
        'every call reaches a terminal state',
        async () =>
          (await store.db.selectFrom('calls').select('status').where('id', 'in', ids).execute()).every(
            (r) => r.status !== 'in_progress',
          ),
        60_000,
        200,
      );
      const ended = await store.db.selectFrom('calls').selectAll().where('id', 'in', ids).execute();
      for (const call of ended) {
        assert.equal(call.status, 'completed', `call ${call.id}`);
        assert.equal(call.end_reason, victimCalls.includes(call.id) ? 'error' : 'caller_hangup', `call ${call.id}`);
      }
      assert.equal(victimCalls.length + survivorCalls.length, ids.length);

      const ledger = await store.db
        .selectFrom('ledger_entries')
        .select('call_id')
        .where('call_id', 'in', ids)
        .execute();
      assert.deepEqual(
        ledger.map((e) => e.call_id).sort((x, y) => Number(x) - Number(y)),
        [...ids].sort((x, y) => x - y),
        'one debit per call',
      );

      const completes = () =>
        rx.requests
          .map((r) => JSON.parse(r.raw.toString('utf8')) as { type: string; data: { call_id: number } })
          .filter((e) => e.type === 'telephony.complete')
          .map((e) => e.data.call_id);
      await until('a telephony.complete for every call', () => ids.every((id) => completes().includes(id)), 30_000);
      await new Promise((r) => setTimeout(r, 2000)); // a duplicate would come within the retry's first second
      assert.deepEqual(
        completes().sort((x, y) => x - y),
        [...ids].sort((x, y) => x - y),
        'exactly one telephony.complete per call',
      );

      // The trunk saw one dial (one Call-ID, challenged once) per call.
      const callIds = new Set(
        [...trunk.logs().matchAll(/^INVITE sip:[^\n]*\n(?:[^\n]+\n)*?Call-ID:\s*(\S+)/gim)].map((m) => m[1]),
      );
      assert.equal(callIds.size, ids.length, 'no call was dialed twice');
    });
  },
);
