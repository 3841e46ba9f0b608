import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startPrivatePostgres, type PrivatePostgres } from '../../test/support/private-postgres';
import { captureLog, type CapturedLog } from '../../test/support/log-capture';
import { openStore, type Store } from '../store/db';
import { AppError } from '../shared/errors';
import { PgBossJobQueue } from './pg-boss-job-queue';
import type { Job } from './job-queue';
import { until } from '../../test/support/until';

/*
 * pg-boss 10 on a PostgreSQL that restarts (a private server). Before the fix, a job finishing
 * while the database was down ended the process (pg-boss does not await its complete() write: an
 * unhandled rejection), and a handler failing only because the database was down used up its
 * attempts.
 */

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe('pg-boss job queue during a PostgreSQL restart', () => {
  let server: PrivatePostgres;
  let store: Store;
  let queue: PgBossJobQueue;
  let captured: CapturedLog;
  before(async () => {
    server = await startPrivatePostgres();
    captured = captureLog();
    store = await openStore(server.url, { log: captured.log, poolSize: 4 });
    queue = new PgBossJobQueue(store, captured.log, { pollingIntervalSeconds: 0.5 });
    await queue.start();
  });
  after(async () => {
    await queue?.stop(1000);
    await store?.destroy();
    await server?.destroy();
  });

  const jobState = async (id: string): Promise<string | undefined> => {
    const res = await sql<{ state: string }>`select state from pgboss.job where id = ${id}`.execute(store.db);
    return res.rows[0]?.state;
  };

  test('a job that finishes while PostgreSQL is down is completed once it is back (the process lives on)', async () => {
    const running = gate();
    const release = gate();
    const runs: Job[] = [];
    await queue.work('t.finish-during-outage', async (job) => {
      runs.push(job);
      running.open();
      await release.wait;
    });
    const id = await queue.enqueue('t.finish-during-outage', { n: 1 });
    assert.ok(id);
    await running.wait;
    await server.stop('fast');
    release.open();
    await new Promise((r) => setTimeout(r, 1000));
    await server.start();
    await until('the job is completed', async () => (await jobState(id).catch(() => undefined)) === 'completed');
    assert.equal(runs.length, 1, 'the handler ran once');
  });

  test('a handler that failed only because the database was down runs again once it is back, on the same attempt', async () => {
    const running = gate();
    const release = gate();
    const attempts: number[] = [];
    const results: number[] = [];
    await queue.work<{ n: number }>('t.db-in-handler', async (job) => {
      attempts.push(job.attempt);
      running.open();
      await release.wait;
      const res = await sql<{ n: number }>`select ${job.payload.n}::int * 2 as n`.execute(store.db);
      results.push(res.rows[0]!.n);
    });
    const id = await queue.enqueue('t.db-in-handler', { n: 21 }, { maxAttempts: 1 });
    assert.ok(id);
    await running.wait;
    await server.stop('fast');
    release.open();
    await until('the handler failed at least once on the outage', () => attempts.length >= 2);
    await server.start();
    await until('the job is completed', async () => (await jobState(id).catch(() => undefined)) === 'completed');
    assert.deepEqual(results, [42]);
    assert.ok(
      attempts.every((a) => a === 1),
      `an outage does not count as an attempt: ${attempts}`,
    );
  });

  test('enqueue while the database is down fails with database_unavailable; afterwards jobs flow again', async () => {
    const seen: unknown[] = [];
    await queue.work('t.after-outage', async (job) => void seen.push(job.payload));
    await server.stop('fast');
    const failed = await queue.enqueue('t.after-outage', { n: 'lost' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(failed instanceof AppError && failed.code === 'database_unavailable', String(failed));
    assert.equal(store.health.isUp, false);
    await server.restart('immediate').catch(async () => server.start());
    await until('the health probe sees the database', () => store.health.isUp);
    await until('enqueue works again', () =>
      queue.enqueue('t.after-outage', { n: 'after' }).then(
        () => true,
        () => false,
      ),
    );
    await until('the worker handled it', () => seen.length >= 1);
    assert.deepEqual(seen, [{ n: 'after' }]);
    const warnings = captured.lines().filter((l) => l.level === 'error' || l.level === 'fatal');
    assert.deepEqual(
      warnings.map((l) => l.msg),
      [],
      'no error lines: the outage is a warning (once per outage), not an error',
    );
  });
});
