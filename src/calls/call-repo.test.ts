import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect, openTestStore } from '../../test/support/dialects';
import { FakeClock } from '../shared/clock';
import type { Store } from '../store/db';
import { CallRepo } from './call-repo';
import { RATES, seedOrg, seedOutboundCall } from './testing/call-fixtures';

interface Ctx {
  store: Store;
  clock: FakeClock;
  repo: CallRepo;
}

describeEachDialect<Ctx>(
  'per-org admission and guarded transitions',
  async (dialect) => {
    const store = await openTestStore(dialect);
    const clock = new FakeClock();
    await seedOrg(store, clock, 1000);
    return { store, clock, repo: new CallRepo(store.db, dialect, clock) };
  },
  (c) => c.store.destroy(),
  (get) => {
    test('with a limit of 2, the third and fourth calls wait and then run in creation order', async () => {
      const { store, clock, repo } = get();
      const orgId = await seedOrg(store, clock, 500, 2);
      const calls = [];
      for (let i = 0; i < 4; i++) {
        calls.push(await seedOutboundCall(store.db, clock, orgId));
        clock.advance(10);
      }
      const [c1, c2, c3, c4] = calls.map((c) => c.id) as [number, number, number, number];
      assert.equal((await repo.admit(c1, 'i', 10, RATES)).kind, 'admitted');
      // c4's job happens to run before c3's: c3 is ahead of it, so c4 must wait even with a free slot.
      assert.equal((await repo.admit(c4, 'i', 10, RATES)).kind, 'wait');
      assert.equal((await repo.admit(c2, 'i', 10, RATES)).kind, 'admitted');
      const waiting = await repo.admit(c3, 'i', 10, RATES);
      assert.deepEqual(waiting, { kind: 'wait', active: 2, ahead: 0, limit: 2 });
      assert.equal(await repo.activeCount(orgId), 2);
      await repo.beginEnding(c1);
      await store.db.updateTable('calls').set({ status: 'completed', phase: 'ended' }).where('id', '=', c1).execute();
      assert.equal((await repo.admit(c4, 'i', 10, RATES)).kind, 'wait', 'c3 still comes first');
      assert.equal((await repo.admit(c3, 'i', 10, RATES)).kind, 'admitted');
      assert.equal((await repo.admit(c3, 'i', 10, RATES)).kind, 'not_queued', 'admitting twice is a no-op');
    });

    test('concurrent admissions never exceed the limit', async () => {
      const { store, clock, repo } = get();
      const orgId = await seedOrg(store, clock, 500, 3);
      const calls = [];
      for (let i = 0; i < 8; i++) calls.push(await seedOutboundCall(store.db, clock, orgId));
      const results = await Promise.all(calls.map((c) => repo.admit(c.id, 'i', 10, RATES)));
      assert.equal(results.filter((r) => r.kind === 'admitted').length, 3);
      assert.equal(await repo.activeCount(orgId), 3);
    });

    test('the operator default applies when the org has no override', async () => {
      const { store, clock, repo } = get();
      const orgId = await seedOrg(store, clock, 500);
      const a = await seedOutboundCall(store.db, clock, orgId);
      const b = await seedOutboundCall(store.db, clock, orgId);
      assert.equal((await repo.admit(a.id, 'i', 1, RATES)).kind, 'admitted');
      assert.equal((await repo.admit(b.id, 'i', 1, RATES)).kind, 'wait');
    });

    test('transitions follow the table: no answer after ending, no ringing after answer', async () => {
      const { store, clock, repo } = get();
      const orgId = await seedOrg(store, clock, 500);
      const call = await seedOutboundCall(store.db, clock, orgId);
      assert.equal(await repo.transition(call.id, 'ringing'), false, 'not dialing yet');
      await repo.admit(call.id, 'i', 10, RATES);
      assert.equal(await repo.transition(call.id, 'ringing'), true);
      assert.equal(await repo.markAnswered(call.id), true);
      assert.equal(await repo.transition(call.id, 'ringing'), false);
      assert.equal(await repo.beginEnding(call.id), true);
      assert.equal(await repo.markAnswered(call.id), false);
      const row = await repo.get(call.id);
      assert.equal(row?.phase, 'ending');
      assert.equal(row?.owner_instance, 'i');
      assert.ok(row?.answered_at);
    });
  },
);
