import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect, openTestStore } from '../../test/support/dialects';
import type { Store } from '../store/db';
import { FakeClock } from '../shared/clock';
import { FakeTimers } from '../shared/timers';
import { silentLogger } from '../shared/log';
import { seedOrg, seedOutboundCall } from './testing/call-fixtures';
import { CallChangeFeed, type CallChange } from './call-change-feed';

interface Ctx {
  store: Store;
  clock: FakeClock;
}

describeEachDialect<Ctx>(
  'CallChangeFeed (one poller, per-org fan-out)',
  async (dialect) => ({ store: await openTestStore(dialect), clock: new FakeClock('2026-05-01T10:00:00.000Z') }),
  async (c) => c.store.destroy(),
  (get) => {
    const setup = async () => {
      const { store, clock } = get();
      const orgA = await seedOrg(store, clock, 1000);
      const orgB = await seedOrg(store, clock, 1000);
      const timers = new FakeTimers();
      const feed = new CallChangeFeed({ db: store.db, clock, log: silentLogger, timers, pollMs: 1000, pageSize: 3 });
      const seen = { a: [] as CallChange[], a2: [] as CallChange[], b: [] as CallChange[] };
      return { store, clock, orgA, orgB, timers, feed, seen };
    };
    const touch = async (store: Store, id: number, values: Record<string, unknown>) =>
      store.db.updateTable('calls').set(values).where('id', '=', id).execute();

    test('a tab gets only its org’s changes, once each; every tab of the org gets them', async () => {
      const { store, clock, orgA, orgB, feed, seen } = await setup();
      feed.subscribe(orgA, (c) => seen.a.push(c));
      feed.subscribe(orgA, (c) => seen.a2.push(c));
      feed.subscribe(orgB, (c) => seen.b.push(c));
      clock.advance(10);
      const a1 = await seedOutboundCall(store.db, clock, orgA);
      const b1 = await seedOutboundCall(store.db, clock, orgB);
      await feed.poll();
      assert.deepEqual(
        seen.a.map((c) => c.call.id),
        [a1.id],
      );
      assert.deepEqual(
        seen.a2.map((c) => c.call.id),
        [a1.id],
      );
      assert.deepEqual(
        seen.b.map((c) => c.call.id),
        [b1.id],
      );
      assert.ok(
        seen.a.every((c) => Number(c.call.org_id) === orgA),
        'never another org’s call',
      );

      // Nothing changed: a second poll (same overlap window) delivers nothing again.
      await feed.poll();
      assert.equal(seen.a.length, 1);

      clock.advance(500);
      await touch(store, a1.id, {
        status: 'completed',
        phase: 'ended',
        end_reason: 'caller_hangup',
        transcript: JSON.stringify([{ role: 'user', content: 'hi' }]),
        updated_at: clock.nowIso(),
      });
      await feed.poll();
      assert.equal(seen.a.length, 2);
      assert.equal(seen.a[1]?.call.status, 'completed');
      assert.equal(seen.a[1]?.call.end_reason, 'caller_hangup');
      assert.ok((seen.a[1]?.transcriptChars ?? 0) > 2, 'transcript size travels with the change');
      assert.equal(seen.b.length, 1, 'org B saw nothing of it');
      feed.close();
    });

    test('a change stamped a little in the past (another server’s clock, late commit) is still delivered', async () => {
      const { store, clock, orgA, feed, seen } = await setup();
      feed.subscribe(orgA, (c) => seen.a.push(c));
      clock.advance(10);
      const fresh = await seedOutboundCall(store.db, clock, orgA);
      await feed.poll();
      assert.deepEqual(
        seen.a.map((c) => c.call.id),
        [fresh.id],
      );
      const late = await seedOutboundCall(store.db, clock, orgA, {
        updated_at: new Date(clock.nowMs() - 3000).toISOString(),
      });
      await feed.poll();
      assert.deepEqual(
        seen.a.map((c) => c.call.id),
        [fresh.id, late.id],
      );
      feed.close();
    });

    test('more changes than one page are all delivered, in order of change', async () => {
      const { store, clock, orgA, feed, seen } = await setup();
      feed.subscribe(orgA, (c) => seen.a.push(c));
      clock.advance(10);
      const ids: number[] = [];
      for (let i = 0; i < 8; i++) {
        clock.advance(1);
        ids.push((await seedOutboundCall(store.db, clock, orgA)).id);
      }
      assert.equal(await feed.poll(), 8);
      assert.deepEqual(
        seen.a.map((c) => c.call.id),
        ids,
      );
      feed.close();
    });

    test('polls on its timer only while someone listens', async () => {
      const { store, clock, orgA, timers, feed, seen } = await setup();
      assert.equal(timers.pendingCount, 0, 'no listener: no polling');
      const off = feed.subscribe(orgA, (c) => seen.a.push(c));
      assert.equal(timers.pendingCount, 1);
      clock.advance(10);
      await seedOutboundCall(store.db, clock, orgA);
      timers.advance(1000);
      for (let i = 0; i < 50 && seen.a.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(seen.a.length, 1, 'the timer polled');
      off();
      for (let i = 0; i < 50 && timers.pendingCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(timers.pendingCount, 0, 'the last listener gone: polling stops');
      assert.equal(feed.listenerCount, 0);
      feed.close();
    });
  },
);
