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
import { seedOrg } from './testing/call-fixtures';
import { TrunkDialSlots } from './trunk-dial-slots';

/*
 * TRUNK_CALLS_PER_SECOND is one budget per trunk for every server on the database: two stores
 * with their own connections (two servers) reserving at the same time never get the same slot,
 * and together they are paced exactly like one server.
 */

interface Ctx {
  /** What "server A" and "server B" use: separate connections to the same database. */
  a: Store;
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
    return { a, b, trunk, otherTrunk, dir };
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
  },
);
