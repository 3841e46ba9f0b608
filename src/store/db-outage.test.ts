import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startPrivatePostgres, type PrivatePostgres } from '../../test/support/private-postgres';
import { captureLog, type CapturedLog } from '../../test/support/log-capture';
import { AppError } from '../shared/errors';
import { openStore, type Store } from './db';
import { until } from '../../test/support/until';

/*
 * PostgreSQL restarts under a running store (a private server: the shared one on 5432 is never
 * restarted). Before the fix, an idle or checked-out connection killed by the server was an
 * unhandled 'error' event that ended the process.
 */
const OUTAGE = 'database unavailable: calls keep running; database work waits and is retried';
const BACK = 'database available again';

/** Settles `p`, or fails the test if it hangs (an outage must never make a query hang). */
async function settleWithin<T>(p: Promise<T>, ms = 10_000): Promise<PromiseSettledResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error('query hung')), ms)));
  try {
    return await Promise.race([Promise.allSettled([p]).then(([r]) => r), hang]);
  } finally {
    clearTimeout(timer);
  }
}

function assertUnavailable(result: PromiseSettledResult<unknown>): void {
  assert.equal(result.status, 'rejected');
  const err = result.reason;
  assert.ok(err instanceof AppError, `an AppError, got ${String(err)}`);
  assert.equal(err.code, 'database_unavailable');
  assert.equal(err.kind, 'unavailable');
}

describe('store during a PostgreSQL restart', () => {
  let server: PrivatePostgres;
  let store: Store;
  let captured: CapturedLog;
  before(async () => {
    server = await startPrivatePostgres();
    captured = captureLog();
    store = await openStore(server.url, { log: captured.log, poolSize: 4 });
    await sql`create table if not exists t (n int)`.execute(store.db);
  });
  after(async () => {
    await store?.destroy();
    await server?.destroy();
  });

  test('idle connections killed by an operator (pg_terminate_backend): the process lives on, the next query reconnects', async () => {
    await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(store.db)));
    const killed = await server.terminateBackends();
    assert.ok(killed >= 1, 'the pool had connections to kill');
    await until('the outage noticed', () => !store.health.isUp);
    assert.match(store.health.snapshot().reason ?? '', /57P01|terminating connection/);
    const rows = await sql<{ n: number }>`select 41 + 1 as n`.execute(store.db);
    assert.equal(rows.rows[0]?.n, 42);
    await until('the recovery noticed', () => store.health.isUp);
    assert.equal(store.health.snapshot().reason, null);
  });

  test('a connection killed inside a transaction: the transaction fails with database_unavailable, nothing else breaks', async () => {
    const result = await settleWithin(
      store.db.transaction().execute(async (trx) => {
        await sql`insert into t values (1)`.execute(trx);
        // The server kills this checked-out connection between two statements of the transaction.
        await server.terminateBackends();
        await new Promise((r) => setTimeout(r, 200));
        await sql`insert into t values (2)`.execute(trx);
      }),
    );
    assertUnavailable(result);
    const count = await sql<{ n: number }>`select count(*)::int as n from t`.execute(store.db);
    assert.equal(count.rows[0]?.n, 0, 'the transaction was rolled back by the server');
  });

  test('while PostgreSQL is stopped, queries fail at once with database_unavailable; one warning, one recovery line', async () => {
    await until('up before the test', () => store.health.isUp);
    const outagesBefore = captured.withMessage(OUTAGE).length;
    const backBefore = captured.withMessage(BACK).length;
    await sql`select 1`.execute(store.db);
    await server.stop('fast');
    for (let i = 0; i < 3; i++) assertUnavailable(await settleWithin(sql`select 1`.execute(store.db)));
    const insideTrx = await settleWithin(store.db.transaction().execute((trx) => sql`select 1`.execute(trx)));
    assertUnavailable(insideTrx);
    const check = await store.health.check();
    assert.equal(check.status, 'down');
    assert.match(check.reason ?? '', /ECONNREFUSED|57P01|terminating/);

    await server.start();
    await until('the probe sees the database again', () => store.health.isUp);
    const rows = await sql<{ n: number }>`select 7 as n`.execute(store.db);
    assert.equal(rows.rows[0]?.n, 7);
    const outages = captured.withMessage(OUTAGE).slice(outagesBefore);
    assert.equal(outages.length, 1, 'the outage is logged once');
    assert.equal(outages[0]?.level, 'warn');
    assert.ok(outages[0]?.err?.message, 'with the reason');
    const back = captured.withMessage(BACK).slice(backBefore);
    assert.equal(back.length, 1, 'the recovery is logged once');
    assert.equal(back[0]?.level, 'info');
    assert.ok(typeof back[0]?.downMs === 'number' && back[0].downMs >= 0);
  });

  test('pg_ctl restart -m immediate (a crash and recovery of the server): the store reconnects', async () => {
    await sql`select 1`.execute(store.db);
    await server.restart('immediate');
    // The first query after the restart may land on a connection that died: it fails cleanly or works.
    const first = await settleWithin(sql`select 1`.execute(store.db));
    if (first.status === 'rejected') assertUnavailable(first);
    await until('queries work again', () =>
      sql`select 1`.execute(store.db).then(
        () => true,
        () => false,
      ),
    );
  });
});
