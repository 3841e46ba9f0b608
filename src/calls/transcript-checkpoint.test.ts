import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect, openTestStore } from '../../test/support/dialects';
import type { Store } from '../store/db';
import { FakeClock } from '../shared/clock';
import { FakeTimers } from '../shared/timers';
import { silentLogger } from '../shared/log';
import { seedOrg, seedOutboundCall } from './testing/call-fixtures';
import { TranscriptCheckpoint } from './transcript-checkpoint';

describeEachDialect(
  'TranscriptCheckpoint: a running call’s transcript reaches the database as it grows',
  async (dialect) => openTestStore(dialect),
  async (store: Store) => store.destroy(),
  (get) => {
    test('writes on change only, bumps updated_at, never overwrites a finished call', async () => {
      const store = get();
      const clock = new FakeClock('2026-05-01T10:00:00.000Z');
      const timers = new FakeTimers();
      const orgId = await seedOrg(store, clock, 1000);
      const call = await seedOutboundCall(store.db, clock, orgId, { phase: 'answered' });
      const turns: unknown[] = [];
      const cp = new TranscriptCheckpoint({
        db: store.db,
        clock,
        log: silentLogger,
        callId: call.id,
        transcript: () => [...turns],
        intervalMs: 1000,
        timers,
      });
      const row = () => store.db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow();

      assert.equal(await cp.flush(), false, 'nothing said yet: no write');
      turns.push({ role: 'assistant', content_type: 'text/plain', content: 'Hello.', start_ms: 0, end_ms: 900 });
      clock.advance(1000);
      assert.equal(await cp.flush(), true);
      let r = await row();
      assert.deepEqual(JSON.parse(r.transcript), turns);
      assert.equal(r.updated_at, clock.nowIso());

      clock.advance(1000);
      assert.equal(await cp.flush(), false, 'unchanged: no write');
      assert.equal((await row()).updated_at, r.updated_at);

      // The timer drives it too.
      turns.push({ role: 'user', content_type: 'text/plain', content: 'Hi there.', start_ms: 1200, end_ms: 2000 });
      cp.start();
      timers.advance(1000);
      for (let i = 0; i < 100 && JSON.parse((await row()).transcript).length < 2; i++)
        await new Promise((res) => setTimeout(res, 10));
      assert.equal(JSON.parse((await row()).transcript).length, 2);

      // The finalizer wrote the final transcript: a late checkpoint leaves it alone.
      await store.db
        .updateTable('calls')
        .set({ status: 'completed', phase: 'ended', transcript: '["final"]' })
        .where('id', '=', call.id)
        .execute();
      turns.push({ role: 'assistant', content_type: 'text/plain', content: 'Bye.', start_ms: 2100, end_ms: 2600 });
      assert.equal(await cp.flush(), false);
      r = await row();
      assert.equal(r.transcript, '["final"]');
      await cp.stop();
      assert.equal(timers.pendingCount, 0, 'stopped: no timer left');
    });
  },
);
