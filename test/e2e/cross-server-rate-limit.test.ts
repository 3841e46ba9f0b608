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
import { answeringTrunk } from './support/trunk-scenarios';
import { insertSippTrunkNumber } from './support/trunk-rows';
import { makeWorkDir, speechUlaw, startSipp } from './support/sipp-runner';
import { startServerProcess } from './support/server-process';
import { serverDatabaseUrl } from './support/server-database';
import { randomRtpBase, serverEnv } from './support/server-env';
import { trunkDialogs } from './support/sipp-trace';

/*
 * The per-trunk calls-per-second budget (trunk_dial_slots) and the per-org concurrency limit hold
 * across two real server processes on one PostgreSQL database. 10 calls are placed at once, half
 * through each server's API, to one sipp trunk  (TRUNK_CALLS_PER_SECOND=1, the org's
 * max_concurrent_calls=4; each call lasts 5 s, so both limits bind). What the trunk saw (sipp's
 * message trace): never more new INVITEs in a second than the budget, never more calls at once
 * than the org may have, every call dialed exactly once and completed, and both servers dialed.
 *
 * The window: trunk_dial_slots hands out slots INTERVAL_MS = 1000 / CPS apart (one UPDATE moves
 * the trunk's next slot by one interval, whichever server reserves), so the k-th INVITE after
 * any INVITE is due at least k · INTERVAL_MS after it (a window of exactly 1 s can hold CPS + 1
 * slot times, one at each end). Between a slot and the INVITE on the wire lies the dispatch (timer
 * lateness, opening the RTP port in a media worker, the server's busy event loop): on this shared
 * 2-core machine running two servers, sipp and other tests, a server's first dial was seen 220 ms
 * after its slot. The check allows DISPATCH_SLACK_MS of that: INVITE i + k at least
 * k · INTERVAL_MS − DISPATCH_SLACK_MS after INVITE i. Without the budget (TRUNK_CALLS_PER_SECOND
 * 100) the org's first calls left 126 ms apart here, and with no org limit 6 calls overlap.
 */

const CALLS = 10;
const CPS = 1;
const CONCURRENCY = 4;
const CALL_MS = 5000;
const INTERVAL_MS = 1000 / CPS;
/** Half an interval for the dispatch: more than a slot's delay seen here, far less than dialing without a budget. */
const DISPATCH_SLACK_MS = INTERVAL_MS / 2;

describe(
  'per-trunk CPS and per-org concurrency across two servers on one PostgreSQL database',
  { skip: !testDialects().includes('postgres') },
  () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    test('10 calls through both APIs: INVITEs paced at 1 per second, ≤ 4 at once at the trunk, each dialed once and completed', async () => {
      const dir = makeWorkDir();
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const llm = await startFakeOpenAiLlmServer(['Hello, this is Acme.']);
      const stt = await startFakeOpenAiSttServer(['Hi.']);
      cleanups.push(
        () => llm.close(),
        () => stt.close(),
      );
      const secretKey = randomBytes(32);
      const databaseUrl = await serverDatabaseUrl('postgres', dir, cleanups, 'tp_cps');
      const rtpBase = randomRtpBase();
      const envFor = (base: number) =>
        serverEnv({
          databaseUrl,
          secretKey,
          dir,
          llmBaseUrl: llm.baseUrl,
          sttBaseUrl: stt.baseUrl,
          rtpBase: base,
          rtpPorts: 100,
          extra: { TRUNK_CALLS_PER_SECOND: String(CPS) },
        });
      const a = await startServerProcess(envFor(rtpBase));
      cleanups.push(() => void a.child.kill('SIGKILL'));
      const b = await startServerProcess(envFor(rtpBase + 200));
      cleanups.push(() => void b.child.kill('SIGKILL'));
      assert.ok(a.apiKey, 'the first start created the development org');

      const trunk = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: speechUlaw(dir, 'tt-weasels', 0.5, 1.0), hangUpAfterMs: CALL_MS }),
        transport: 'udp',
        workDir: dir,
        timeoutS: 120,
        maxCalls: CALLS,
        extraArgs: ['-trace_msg'],
      });
      cleanups.push(() => trunk.kill());
      const store: Store = await openStore(databaseUrl);
      cleanups.push(() => store.destroy());
      const org = await store.db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
      await store.db.updateTable('orgs').set({ max_concurrent_calls: CONCURRENCY }).where('id', '=', org.id).execute();
      const from = `+1555${String(process.pid % 1000).padStart(3, '0')}7${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
      await insertSippTrunkNumber(store.db, { orgId: org.id, secretKey, sippPort: trunk.port, number: from });

      // All at once, alternating servers.
      const placed = await Promise.all(
        Array.from({ length: CALLS }, (_, i) =>
          (i % 2 === 0 ? a : b).api(
            'POST',
            '/v1/call',
            {
              from_number: from,
              to_number: `+1555020${String(i).padStart(4, '0')}`,
              config: { prompt: 'You are the front desk of Acme Dental.', voice: 'en-US-James1', product: 'spark' },
            },
            a.apiKey,
          ),
        ),
      );
      for (const p of placed) assert.equal(p.status, 201, JSON.stringify(p.body));
      const ids = placed.map((p) => p.body.call_id as number);
      assert.equal(new Set(ids).size, CALLS);

      await until(
        'every call reaches a terminal state',
        async () =>
          (await store.db.selectFrom('calls').select('status').where('id', 'in', ids).execute()).every(
            (r) => r.status !== 'in_progress',
          ),
        110_000,
        250,
      );
      assert.equal(await trunk.exited, 0, `the trunk saw ${CALLS} complete calls: ${trunk.diagnostics()}`);
      const ended = await store.db.selectFrom('calls').selectAll().where('id', 'in', ids).execute();
      for (const call of ended) {
        assert.equal(call.status, 'completed', `call ${call.id}: ${call.end_reason}`);
        assert.equal(call.end_reason, 'caller_hangup', `call ${call.id}`);
      }
      const pids = new Set(ended.map((c) => parseInstanceId(c.owner_instance ?? '')?.pid));
      assert.ok(
        pids.has(a.child.pid) && pids.has(b.child.pid),
        `both servers dialed: ${JSON.stringify(ended.map((c) => c.owner_instance))}`,
      );

      const dialogs = trunkDialogs(trunk.logs());
      assert.equal(dialogs.length, CALLS, 'one dialog (Call-ID) per call: none dialed twice, none lost');
      const invites = dialogs.map((d) => d.inviteMs).sort((x, y) => x - y);
      const at = invites.map((t) => (t - invites[0]!).toFixed(0)).join(', ');
      for (let i = 0; i < invites.length; i++)
        for (let k = 1; i + k < invites.length; k++) {
          const spanMs = invites[i + k]! - invites[i]!;
          assert.ok(
            spanMs >= k * INTERVAL_MS - DISPATCH_SLACK_MS,
            `${k + 1} new INVITEs within ${spanMs.toFixed(0)} ms (INVITEs at ${at} ms)`,
          );
        }
      // At most CONCURRENCY calls at once: from the trunk's first INVITE to its BYE.
      let most = 0;
      for (const d of dialogs) {
        assert.ok(d.byeMs !== undefined, `the trunk hung up call ${d.callId}`);
        const open = dialogs.filter((o) => o.inviteMs <= d.inviteMs && (o.byeMs ?? Infinity) > d.inviteMs).length;
        most = Math.max(most, open);
      }
      assert.ok(most <= CONCURRENCY, `${most} calls at once at the trunk`);
      assert.equal(most, CONCURRENCY, `the org limit was reached, so it was what held the others back`);
    });
  },
);
