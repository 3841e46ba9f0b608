import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/db';
import { TEST_PG_URL, testDialects } from '../support/dialects';
import { untilValue } from '../support/until';
import { routingTrunk } from './support/trunk-scenarios';
import { insertSippTrunkNumber } from './support/trunk-rows';
import { authenticatedInvites, freePort, makeWorkDir, startSipp } from './support/sipp-runner';
import { startServerProcess, type ServerProcess } from './support/server-process';
import { randomRtpBase, serverEnv } from './support/server-env';

/*
 * A server process running a campaign is killed with SIGKILL while calls are up and contacts are
 * still queued. SQLite: a new process on the same file finishes the campaign. PostgreSQL: a second
 * server, running on the same database all along, finishes it. Either way every contact was dialed
 * exactly once (the trunk saw each number once) and the campaign ends `completed`.
 */
async function databaseUrl(dialect: string, dir: string, cleanups: (() => Promise<void> | void)[]): Promise<string> {
  if (dialect === 'sqlite') return `sqlite:${join(dir, 'tp.db')}`;
  const name = `tp_camp_${process.pid}_${Date.now().toString(36)}`;
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

const CONTACTS = 12;

for (const dialect of testDialects())
  describe(`a server killed mid-campaign [${dialect}]`, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    test('kill -9 with calls up and contacts queued: the campaign finishes and nobody is dialed twice', async () => {
      const dir = makeWorkDir();
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const secretKey = randomBytes(32);
      const closed = await freePort();
      const rtpBase = randomRtpBase();
      // The agent speaks second and hears nothing: LLM/STT are configured but never asked.
      const dbUrl = await databaseUrl(dialect, dir, cleanups);
      const env = serverEnv({
        databaseUrl: dbUrl,
        secretKey,
        dir,
        llmBaseUrl: `http://127.0.0.1:${closed}/v1`,
        sttBaseUrl: `http://127.0.0.1:${closed}/v1`,
        rtpBase,
        extra: { CAMPAIGN_DISPATCH_INTERVAL_MS: '100' },
      });
      const first = await startServerProcess(env);
      cleanups.push(() => void first.child.kill('SIGKILL'));
      assert.ok(first.apiKey);
      let second: ServerProcess | undefined;
      if (dialect === 'postgres') {
        second = await startServerProcess({
          ...env,
          RTP_PORT_MIN: String(rtpBase + 200),
          RTP_PORT_MAX: String(rtpBase + 400),
        });
        cleanups.push(() => second?.stop());
      }

      const trunk = await startSipp({
        scenarioXml: routingTrunk({ busyMark: 'nobody-busy', ringMark: 'nobody-rings', hangUpAfterMs: 2500 }),
        transport: 'udp',
        workDir: dir,
        timeoutS: 120,
        maxCalls: 1000,
        extraArgs: ['-trace_msg'],
      });
      cleanups.push(() => trunk.kill());

      const store: Store = await openStore(dbUrl);
      cleanups.push(() => store.destroy());
      const org = await store.db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
      await store.db.updateTable('orgs').set({ max_concurrent_calls: 3 }).where('id', '=', org.id).execute();
      const from = `+1555${String(process.pid % 1000).padStart(3, '0')}8${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
      await insertSippTrunkNumber(store.db, { orgId: org.id, secretKey, sippPort: trunk.port, number: from });
      await store.db
        .insertInto('outbound_attestations')
        .values({ org_id: org.id, attested_by: 'ops', attestation_text: 'ok', attested_at: new Date(0).toISOString() })
        .execute();
      const agent = await first.api('POST', '/v1/agents', {
        name: 'Reminder',
        prompt: 'Remind the caller.',
        voice: 'en-US-James1',
        outbound_speak_order: 'caller_first',
      });
      assert.equal(agent.status, 201, JSON.stringify(agent.body));
      const c = await first.api('POST', '/v1/campaigns', {
        name: 'Crash',
        agent: agent.body.id,
        from_number: from,
        timezone: 'UTC',
        daily_window_start: '00:00',
        daily_window_end: '24:00',
        max_attempts: 1,
      });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      const path = `/v1/campaigns/${c.body.public_id}`;
      const numbers = Array.from({ length: CONTACTS }, (_, i) => `+1415600${String(1000 + i)}`);
      const added = await first.api('POST', `${path}/contacts`, {
        contacts: numbers.map((phone_number) => ({ phone_number })),
      });
      assert.equal(added.body.accepted, CONTACTS);
      assert.equal((await first.api('POST', `${path}/start`, { consent_to_charge: true })).status, 200);

      // Kill the first server once some calls are answered and contacts are still waiting.
      const firstPid = first.child.pid;
      await untilValue(
        'calls answered with contacts still queued',
        async () => {
          const answered = await store.db
            .selectFrom('calls')
            .select('id')
            .where('org_id', '=', org.id)
            .where('answered_at', 'is not', null)
            .execute();
          return answered.length >= 2 ? true : undefined;
        },
        30_000,
        50,
      );
      first.child.kill('SIGKILL');
      await first.exited;
      const atKill = await store.db
        .selectFrom('campaign_contacts')
        .select(['status'])
        .where('org_id', '=', org.id)
        .execute();
      assert.ok(
        atKill.some((k) => k.status === 'queued'),
        'contacts were still queued when the server died',
      );

      if (second === undefined) {
        second = await startServerProcess(env);
        cleanups.push(() => second?.stop());
      }
      const stats = await untilValue(
        'the campaign completes after the crash',
        async () => {
          const s = await second.api('GET', `${path}/stats`, undefined, first.apiKey);
          return s.body.status === 'completed' ? s.body : undefined;
        },
        90_000,
        200,
      );
      assert.equal(stats.total, CONTACTS);
      assert.equal(stats.finished, CONTACTS);
      assert.equal(stats.attempts, CONTACTS, 'one attempt each');
      const calls = await store.db
        .selectFrom('calls')
        .select(['to_number', 'owner_instance'])
        .where('org_id', '=', org.id)
        .execute();
      assert.deepEqual(calls.map((k) => k.to_number).sort(), [...numbers].sort(), 'every number dialed exactly once');
      // The trunk's view: no number got a second SIP call (a call placed just as the server died
      // may never have reached it, so at most one).
      // sipp writes its message trace through a buffer: a loaded machine shows it late, so wait for it (bounded).
      const invites = await untilValue(
        'the trunk trace shows the calls',
        () => {
          const seen = authenticatedInvites(trunk.logs());
          return seen.size >= CONTACTS - 2 ? seen : undefined;
        },
        15_000,
        200,
      ).catch(() => authenticatedInvites(trunk.logs()));
      for (const [n, ids] of invites) assert.ok(ids.size <= 1, `${n} was dialed ${ids.size} times at the trunk`);
      assert.ok(invites.size >= CONTACTS - 2, `the trunk saw the calls (${invites.size} numbers)`);
      assert.ok(
        calls.some((k) => k.owner_instance !== null && !k.owner_instance.includes(`/${firstPid}/`)),
        'the surviving server placed some of the calls',
      );
    });
  });
