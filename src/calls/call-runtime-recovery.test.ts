import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect, openTestStore } from '../../test/support/dialects';
import { loadConfig } from '../config/load';
import { FakeClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import { SecretBox } from '../shared/secret-box';
import { DbJobQueue } from '../jobs/db-job-queue';
import type { Store } from '../store/db';
import type { AgentSessionPort } from './call-ports';
import { CallRuntime, type CallParts } from './call-runtime';
import { CallRepo } from './call-repo';
import { idleCallParts, RATES, RecordingEmitter, seedOrg, seedOutboundCall } from './testing/call-fixtures';

const ME = 'host-b/202/me';
const OTHER = 'host-a/101/other';

interface Ctx {
  store: Store;
  clock: FakeClock;
  repo: CallRepo;
  emitter: RecordingEmitter;
  secretBox: SecretBox;
  runtime(parts: CallParts): CallRuntime;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting: ${what}`);
}

/** The runtime's ticker (heartbeatMs 20 here) on the real database, with a fake wall clock. */
describeEachDialect<Ctx>(
  'the call runtime heartbeats its calls and recovers other servers’ abandoned ones',
  async (dialect) => {
    const store = await openTestStore(dialect);
    const clock = new FakeClock('2026-03-01T10:00:00.000Z');
    const config = loadConfig(
      { LOG_LEVEL: 'silent', RATE_CENTS_PER_MINUTE: 'spark=2,bolt=5,storm=9' },
      { persistSecretKey: false },
    );
    const emitter = new RecordingEmitter();
    const secretBox = new SecretBox(config.secretKey);
    const runtime = (parts: CallParts): CallRuntime =>
      new CallRuntime({
        config,
        store,
        queue: new DbJobQueue(store, clock, silentLogger),
        clock,
        log: silentLogger,
        secretBox,
        events: emitter,
        parts,
        instance: ME,
        inboundConfig: async () => null,
        heartbeatMs: 20,
        orphanAfterMs: 30_000,
        isOwnerGone: () => false,
      });
    return { store, clock, repo: new CallRepo(store.db, dialect, clock), emitter, secretBox, runtime };
  },
  (c) => c.store.destroy(),
  (get) => {
    test('a running server leaves a live call of another server alone and finalizes it once that server stops heartbeating', async () => {
      const { store, clock, repo, emitter, runtime } = get();
      const orgId = await seedOrg(store, clock, 1000, 100);
      const call = await seedOutboundCall(store.db, clock, orgId);
      await repo.admit(call.id, OTHER, 100, RATES);
      await repo.markAnswered(call.id);
      const rt = runtime(idleCallParts);
      await rt.start();
      try {
        for (let i = 0; i < 5; i++) {
          clock.advance(10_000);
          await repo.heartbeat(call.id, OTHER); // the other server is alive
          await new Promise((r) => setTimeout(r, 40)); // a couple of ticks
        }
        assert.equal((await repo.get(call.id))?.status, 'in_progress', 'a heartbeating call is never taken');
        clock.advance(31_000); // the other server died
        await until('the abandoned call is finalized', async () => (await repo.get(call.id))?.status === 'completed');
        const row = await repo.get(call.id);
        assert.equal(row?.end_reason, 'error');
        assert.equal(row?.owner_instance, ME);
        await new Promise((r) => setTimeout(r, 60));
        assert.equal(
          emitter.events.filter((e) => e.type === 'telephony.complete' && e.data.call_id === call.id).length,
          1,
        );
      } finally {
        await rt.stop();
      }
    });

    test('a call this server has admitted heartbeats while it is still being set up, before any INVITE', async () => {
      const { store, clock, repo, runtime, secretBox } = get();
      const orgId = await seedOrg(store, clock, 1000, 100);
      const now = clock.nowIso();
      const voip = await store.db
        .insertInto('voip_connections')
        .values({
          org_id: orgId,
          name: 'Trunk',
          provider: 'manual',
          setup_method: 'manual',
          status: 'connected',
          inferred_name: 0,
          sip_config: JSON.stringify({ host: '127.0.0.1', port: 5099, transport: 'udp' }),
          credentials_enc: secretBox.sealJson({ username: 'a', password: 'b' }),
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const from = '+15550003333';
      await store.db
        .insertInto('phone_numbers')
        .values({
          org_id: orgId,
          number: from,
          source: 'voip',
          status: 'active',
          voip_connection_id: voip.id,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const call = await seedOutboundCall(store.db, clock, orgId, { from_number: from });
      let agentAsked!: () => void;
      const asked = new Promise<void>((r) => (agentAsked = r));
      let failAgent!: (err: Error) => void;
      const parts: CallParts = {
        ...idleCallParts,
        createAgent: () => {
          agentAsked();
          return new Promise<AgentSessionPort>((_, reject) => (failAgent = reject));
        },
      };
      const rt = runtime(parts);
      await rt.start();
      try {
        const dialing = rt.dial(call.id);
        await asked; // admitted, still being set up: no controller, no INVITE yet
        clock.advance(25_000);
        await until('the held call heartbeats', async () => (await repo.get(call.id))?.heartbeat_at === clock.nowIso());
        failAgent(new Error('agent build failed'));
        await dialing;
        assert.equal((await repo.get(call.id))?.status, 'failed');
      } finally {
        await rt.stop();
      }
    });
  },
);
