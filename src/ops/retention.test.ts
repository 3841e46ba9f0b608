import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery } from 'kysely';
import { describeEachDialect, openTestStore } from '../../test/support/dialects';
import { until } from '../../test/support/until';
import { FakeClock, systemClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import type { Store } from '../store/db';
import type { JobQueue } from '../jobs/job-queue';
import { DbJobQueue } from '../jobs/db-job-queue';
import { PgBossJobQueue } from '../jobs/pg-boss-job-queue';
import { seedOrg, seedOutboundCall } from '../calls/testing/call-fixtures';
import { pruneOnce, type RetentionAges } from './retention';

/*
 * Retention on both dialects: what is older than its configured age goes (webhook events with
 * their deliveries and attempts, finished jobs, recordings on disk), what is younger stays, and a
 * webhook still waiting to be delivered is never deleted, however old.
 */

interface Ctx {
  store: Store;
  queue: JobQueue;
  orgId: number;
  dir: string;
}

const AGES: RetentionAges = { webhookDays: 30, jobDays: 7, recordingDays: 90 };
const DAY_MS = 86_400_000;

async function seedEvent(
  store: Store,
  orgId: number,
  id: string,
  createdIso: string,
  deliveryStatus: 'delivered' | 'failed' | 'pending',
): Promise<void> {
  await store.db
    .insertInto('webhook_events')
    .values({ id, org_id: orgId, type: 'telephony.complete', data: '{}', created_at: createdIso })
    .execute();
  await store.db
    .insertInto('webhook_deliveries')
    .values({
      id: `dlv_${id}`,
      event_id: id,
      org_id: orgId,
      endpoint_id: null,
      target: 'legacy',
      event_type: 'telephony.complete',
      status: deliveryStatus,
      attempts: 1,
      next_attempt_at: deliveryStatus === 'pending' ? createdIso : null,
      locked_until: null,
      last_status_code: 500,
      last_error: null,
      delivered_at: deliveryStatus === 'delivered' ? createdIso : null,
      created_at: createdIso,
      updated_at: createdIso,
    })
    .execute();
  await store.db
    .insertInto('webhook_attempts')
    .values({
      delivery_id: `dlv_${id}`,
      event_id: id,
      org_id: orgId,
      endpoint_id: null,
      event_type: 'telephony.complete',
      attempt: 1,
      outcome: deliveryStatus === 'delivered' ? 'success' : 'failure',
      status_code: 200,
      latency_ms: 12,
      error: null,
      created_at: createdIso,
    })
    .execute();
}

/** Jobs that finished (failed for good), counted in the queue's own tables. */
async function finishedJobs(store: Store): Promise<number> {
  if (store.dialect === 'sqlite') {
    const r = await store.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'failed')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
  const { rows } = await store.db.executeQuery<{ n: string }>(
    CompiledQuery.raw(`SELECT count(*) AS n FROM ${store.schema}_boss.job WHERE state = 'failed'`),
  );
  return Number(rows[0]!.n);
}

describeEachDialect<Ctx>(
  'retention',
  async (dialect) => {
    const store = await openTestStore(dialect);
    const orgId = await seedOrg(store, new FakeClock(), 1000);
    const queue: JobQueue =
      dialect === 'sqlite'
        ? new DbJobQueue(store, systemClock, silentLogger, { pollMs: 20 })
        : new PgBossJobQueue(store, silentLogger, { pollingIntervalSeconds: 0.5 });
    await queue.start();
    return { store, queue, orgId, dir: mkdtempSync(join(tmpdir(), 'tp-retention-')) };
  },
  async (c) => {
    await c.queue.stop(1000);
    await c.store.destroy();
    rmSync(c.dir, { recursive: true, force: true });
  },
  (get) => {
    test('old webhooks, finished jobs and old recordings go; young ones and pending deliveries stay', async () => {
      const { store, queue, orgId, dir } = get();
      const nowMs = systemClock.nowMs();
      const ago = (days: number) => new Date(nowMs - days * DAY_MS).toISOString();
      await seedEvent(store, orgId, 'evt_old_delivered', ago(40), 'delivered');
      await seedEvent(store, orgId, 'evt_old_failed', ago(31), 'failed');
      await seedEvent(store, orgId, 'evt_old_pending', ago(45), 'pending');
      await seedEvent(store, orgId, 'evt_young', ago(2), 'delivered');

      // A job that fails for good (one attempt), really run by the queue.
      let ran = 0;
      await queue.work('retention.test', async () => {
        ran += 1;
        throw new Error('always fails');
      });
      await queue.enqueue('retention.test', {}, { maxAttempts: 1 });
      await until('the job failed for good', async () => ran === 1 && (await finishedJobs(store)) === 1);

      const recording = (name: string) => {
        const path = join(dir, name);
        writeFileSync(path, 'RIFF');
        return path;
      };
      const oldRec = recording('old.wav');
      const youngRec = recording('young.wav');
      const oldCall = await seedOutboundCall(store.db, systemClock, orgId, {
        status: 'completed',
        end_time: ago(100),
        recording_path: oldRec,
      });
      const youngCall = await seedOutboundCall(store.db, systemClock, orgId, {
        status: 'completed',
        end_time: ago(10),
        recording_path: youngRec,
      });

      const now = new FakeClock(new Date(nowMs).toISOString());
      const report = await pruneOnce({ store, queue, clock: now, log: silentLogger, ages: AGES });
      assert.deepEqual(report, { webhookEvents: 2, webhookAttempts: 2, jobs: 0, recordings: 1 });
      const events = await store.db.selectFrom('webhook_events').select('id').orderBy('id').execute();
      assert.deepEqual(
        events.map((e) => e.id),
        ['evt_old_pending', 'evt_young'],
      );
      const deliveries = await store.db
        .selectFrom('webhook_deliveries')
        .select('event_id')
        .orderBy('event_id')
        .execute();
      assert.deepEqual(
        deliveries.map((d) => d.event_id),
        ['evt_old_pending', 'evt_young'],
      );
      const attempts = await store.db.selectFrom('webhook_attempts').select('event_id').orderBy('event_id').execute();
      assert.deepEqual(
        attempts.map((a) => a.event_id),
        ['evt_old_pending', 'evt_young'],
        'the pending delivery keeps its attempt history',
      );
      assert.equal(existsSync(oldRec), false, 'the old recording is deleted from disk');
      assert.equal(existsSync(youngRec), true);
      const calls = await store.db
        .selectFrom('calls')
        .select(['id', 'recording_path'])
        .where('id', 'in', [oldCall.id, youngCall.id])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        calls.map((c) => c.recording_path),
        [null, youngRec],
      );
      assert.equal(await finishedJobs(store), 1, 'a job that finished today is younger than 7 days');

      // Eight days later the finished job is old enough; 0 keeps everything.
      const later = new FakeClock(new Date(nowMs + 8 * DAY_MS).toISOString());
      const keepAll = { webhookDays: 0, jobDays: 0, recordingDays: 0 };
      assert.deepEqual(await pruneOnce({ store, queue, clock: later, log: silentLogger, ages: keepAll }), {
        webhookEvents: 0,
        webhookAttempts: 0,
        jobs: 0,
        recordings: 0,
      });
      assert.equal(await finishedJobs(store), 1);
      const second = await pruneOnce({ store, queue, clock: later, log: silentLogger, ages: AGES });
      assert.equal(second.jobs, 1);
      assert.equal(await finishedJobs(store), 0);
      assert.equal(second.webhookEvents, 0, 'the young event is 10 days old now: kept');
    });
  },
);
