import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPrivatePostgres, type PrivatePostgres } from '../../test/support/private-postgres';
import { loadConfig } from '../config/load';
import { FakeClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import { SecretBox } from '../shared/secret-box';
import { DbJobQueue } from '../jobs/db-job-queue';
import { openStore, type Store } from '../store/db';
import { CallRuntime } from './call-runtime';
import { CallRepo } from './call-repo';
import { idleCallParts, RATES, RecordingEmitter, seedOrg, seedOutboundCall } from './testing/call-fixtures';
import { until } from '../../test/support/until';

/*
 * Several servers on one PostgreSQL that restarts (a private server): nobody could heartbeat
 * during the outage, so afterwards another server's calls are not judged abandoned until that
 * server has had a full staleness window to heartbeat again.
 */
const ME = 'host-b/202/me';
const OTHER = 'host-a/101/other';

describe('orphan recovery after a database outage', () => {
  let server: PrivatePostgres;
  let store: Store;
  let clock: FakeClock;
  let repo: CallRepo;
  let runtime: CallRuntime;
  before(async () => {
    server = await startPrivatePostgres();
    clock = new FakeClock('2026-03-01T10:00:00.000Z');
    store = await openStore(server.url, { clock, poolSize: 4 });
    repo = new CallRepo(store.db, 'postgres', clock);
    const config = loadConfig(
      { LOG_LEVEL: 'silent', RATE_CENTS_PER_MINUTE: 'spark=2,bolt=5,storm=9' },
      { persistSecretKey: false },
    );
    runtime = new CallRuntime({
      config,
      store,
      queue: new DbJobQueue(store, clock, silentLogger),
      clock,
      log: silentLogger,
      secretBox: new SecretBox(config.secretKey),
      events: new RecordingEmitter(),
      parts: idleCallParts,
      instance: ME,
      inboundConfig: async () => null,
      heartbeatMs: 20,
      orphanAfterMs: 30_000,
      isOwnerGone: () => false,
    });
  });
  after(async () => {
    await runtime?.stop();
    await store?.destroy();
    await server?.destroy();
  });

  test("another server's live call survives the outage; it is recovered only when that server stays silent after it", async () => {
    const orgId = await seedOrg(store, clock, 1000, 100);
    const call = await seedOutboundCall(store.db, clock, orgId);
    await repo.admit(call.id, OTHER, 100, RATES);
    await repo.markAnswered(call.id);
    await runtime.start();

    await server.stop('fast');
    await until('the outage is noticed', () => !store.health.isUp);
    clock.advance(60_000); // a one-minute outage: no server could heartbeat
    await server.start();
    await until('the database is back', () => store.health.isUp);
    await new Promise((r) => setTimeout(r, 200)); // ten ticks of the runtime
    assert.equal((await repo.get(call.id))?.status, 'in_progress', 'not recovered right after the outage');

    clock.advance(20_000);
    await repo.heartbeat(call.id, OTHER); // the other server is alive and heartbeats again
    await new Promise((r) => setTimeout(r, 100));
    clock.advance(20_000); // the grace window is over; its heartbeat is fresh
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await repo.get(call.id))?.status, 'in_progress', 'a server that heartbeats again keeps its call');

    clock.advance(31_000); // now it really went silent
    await until('the abandoned call is finalized', async () => (await repo.get(call.id))?.status === 'completed');
    assert.equal((await repo.get(call.id))?.owner_instance, ME);
  });
});
