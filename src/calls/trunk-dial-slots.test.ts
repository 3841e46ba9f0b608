import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describeEachDialect, openTestStore, TEST_PG_URL } from '../../test/support/dialects';
import { insertSippTrunkNumber } from '../../test/e2e/support/trunk-rows';
import { FakeClock } from '../shared/clock';
import { openStore, type Store } from '../store/db';
import { RATES, seedOrg, seedOutboundCall } from './testing/call-fixtures';
import { CallRepo } from './call-repo';
import { TrunkDialSlots } from './trunk-dial-slots';

/*
 * TRUNK_CALLS_PER_SECOND is one budget per trunk for every server on the database: two stores
 * with their own connections (two servers) reserving at the same time never get the same slot,
 * and together they are paced exactly like one server. The per-org concurrency limit is held the
 * same way (CallRepo.admit locks the org row): two servers admitting at once never exceed it.
 */

interface Ctx {
  /** What "server A" and "server B" use: separate connections to the same database. */
  a: Store;
  orgId: number;
  b: Store;
  trunk: number;
  otherTrunk: number;
  dir: string;
}

describeEachDialect<Ctx>(
  'trunk calls per second across servers',
  async (dialect) => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-slots-'));
    let a: Store;
    let b: Store;
    if (dialect === 'sqlite') {
      a = await openStore(`sqlite:${join(dir, 'tp.db')}`);
      b = await openStore(`sqlite:${join(dir, 'tp.db')}`);
    } else {
      a = await openTestStore(dialect);
      b = await openStore(TEST_PG_URL, { schema: a.schema!, poolSize: 5 });
    }
    const clock = new FakeClock();
    const orgId = await seedOrg(a, clock, 1000);
    const secretKey = randomBytes(32);
    const { voipId: trunk } = await insertSippTrunkNumber(a.db, {
      orgId,
      secretKey,
      sippPort: 5999,
      number: '+15550100001',
    });
    const { voipId: otherTrunk } = await insertSippTrunkNumber(a.db, {
      orgId,
      secretKey,
      sippPort: 5998,
      number: '+15550100002',
    });
    return { a, b, orgId, trunk, otherTrunk, dir };
  },
  async (c) => {
    await c.b.destroy();
    await c.a.destroy();
    rmSync(c.dir, { recursive: true, force: true });
  },
  (get) => {
    test('5 cps: ten calls at once through two servers wait 0, 200, ... 1800 ms: each slot once', async () => {
      const { a, b, trunk, otherTrunk } = get();
      const clock = new FakeClock('2026-06-01T00:00:00.000Z');
      const serverA = new TrunkDialSlots(a.db, a.dialect, clock, 5);
      const serverB = new TrunkDialSlots(b.db, b.dialect, clock, 5);
      const waits = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? serverA : serverB).reserve(trunk)),
      );
      assert.deepEqual(
        [...waits].sort((x, y) => x - y),
        [0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800],
      );
      assert.equal(await serverB.reserve(otherTrunk), 0, 'another trunk has its own budget');
      clock.advance(5000);
      assert.equal(await serverA.reserve(trunk), 0, 'the budget refills with time');
      assert.equal(await serverB.reserve(trunk), 200);
    });

    test('per-org concurrency 3: eight calls admitted at once through two servers, three run', async (t) => {
      const { a, b, orgId } = get();
      // Several servers means PostgreSQL; two SQLite connections in one process cannot interleave write transactions.
      if (a.dialect === 'sqlite') return t.skip('several servers share a PostgreSQL database');
      const clock = new FakeClock();
      await a.db.updateTable('orgs').set({ max_concurrent_calls: 3 }).where('id', '=', orgId).execute();
      const calls = [];
      for (let i = 0; i < 8; i++) calls.push(await seedOutboundCall(a.db, clock, orgId));
      const repoA = new CallRepo(a.db, a.dialect, clock);
      const repoB = new CallRepo(b.db, b.dialect, clock);
      const results = await Promise.all(
        calls.map((c, i) =>
          i % 2 === 0 ? repoA.admit(c.id, 'server-a', 10, RATES) : repoB.admit(c.id, 'server-b', 10, RATES),
        ),
      );
      assert.equal(results.filter((r) => r.kind === 'admitted').length, 3);
      assert.equal(await repoB.activeCount(orgId), 3);
    });
  },
);
