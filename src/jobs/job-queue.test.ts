import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect, openTestStore } from '../../test/support/dialects';
import { migrate } from '../store/migrate';
import type { Store } from '../store/db';
import { systemClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import { DbJobQueue } from './db-job-queue';
import { PgBossJobQueue } from './pg-boss-job-queue';
import type { Job, JobQueue } from './job-queue';

function makeQueue(store: Store): JobQueue {
  return store.dialect === 'postgres'
    ? new PgBossJobQueue(store, silentLogger, { pollingIntervalSeconds: 0.5 })
    : new DbJobQueue(store, systemClock, silentLogger, { pollMs: 20 });
}

/** Resolves when `predicate` holds, polling; fails the test after `timeoutMs`. */
async function eventually(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeEachDialect(
  'job queue',
  async (dialect) => {
    const store = await openTestStore(dialect);
    await migrate(store);
    return store;
  },
  (store) => store.destroy(),
  (get) => {
    test('a job enqueued is handed to its worker with its payload', async () => {
      const q = makeQueue(get());
      const seen: Job[] = [];
      await q.start();
      await q.work('t.basic', async (job) => {
        seen.push(job);
      });
      await q.enqueue('t.basic', { callId: 7 });
      await eventually(() => seen.length === 1);
      assert.deepEqual(seen[0]?.payload, { callId: 7 });
      assert.equal(seen[0]?.attempt, 1);
      await q.stop(1000);
    });

    test('a failing job is retried and the attempt number grows', async () => {
      const q = makeQueue(get());
      const attempts: number[] = [];
      await q.start();
      await q.work('t.retry', async (job) => {
        attempts.push(job.attempt);
        if (job.attempt === 1) throw new Error('first attempt fails');
      });
      await q.enqueue('t.retry', {}, { maxAttempts: 3 });
      await eventually(() => attempts.length === 2, 20_000);
      assert.deepEqual(attempts, [1, 2]);
      await q.stop(1000);
    });

    test('a job enqueued in a rolled-back transaction never runs', async () => {
      const q = makeQueue(get());
      const seen: unknown[] = [];
      await q.start();
      await q.work('t.trx', async (job) => {
        seen.push(job.payload);
      });
      await get()
        .db.transaction()
        .execute(async (trx) => {
          await q.enqueue('t.trx', { n: 'rolled-back' }, { trx });
          throw new Error('rollback');
        })
        .catch(() => undefined);
      await get()
        .db.transaction()
        .execute(async (trx) => {
          await q.enqueue('t.trx', { n: 'committed' }, { trx });
        });
      await eventually(() => seen.length >= 1);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(seen, [{ n: 'committed' }]);
      await q.stop(1000);
    });

    test('jobs survive a restart: enqueued while no worker runs, handled by the next process', async () => {
      const first = makeQueue(get());
      await first.start();
      await first.enqueue('t.durable', { survives: true });
      await first.stop(1000);

      const second = makeQueue(get());
      const seen: unknown[] = [];
      await second.start();
      await second.work('t.durable', async (job) => {
        seen.push(job.payload);
      });
      await eventually(() => seen.length === 1);
      assert.deepEqual(seen, [{ survives: true }]);
      await second.stop(1000);
    });

    test('a singleton key keeps a second enqueue out while the first is pending', async () => {
      const q = makeQueue(get());
      await q.start();
      const a = await q.enqueue('t.single', { n: 1 }, { singletonKey: 'k1', delayMs: 60_000 });
      const b = await q.enqueue('t.single', { n: 2 }, { singletonKey: 'k1', delayMs: 60_000 });
      assert.notEqual(a, null);
      assert.equal(b, null);
      await q.stop(1000);
    });
  },
);
