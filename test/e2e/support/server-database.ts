import { join } from 'node:path';
import pg from 'pg';
import type { Store } from '../../../src/store/db';
import { systemClock } from '../../../src/shared/clock';
import { silentLogger } from '../../../src/shared/log';
import { DbJobQueue } from '../../../src/jobs/db-job-queue';
import { PgBossJobQueue } from '../../../src/jobs/pg-boss-job-queue';
import { DIAL_QUEUE } from '../../../src/calls/call-runtime';
import { TEST_PG_URL } from '../../support/dialects';

/**
 * The DATABASE_URL of server processes under test: a SQLite file in `dir`, or a fresh PostgreSQL
 * database made for the test (dropped by the cleanup pushed onto `cleanups`).
 */
export async function serverDatabaseUrl(
  dialect: string,
  dir: string,
  cleanups: (() => Promise<void> | void)[],
  prefix = 'tp_e2e',
): Promise<string> {
  if (dialect === 'sqlite') return `sqlite:${join(dir, 'tp.db')}`;
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.unshift(async () => {
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A queued outbound call row (what POST /v1/call writes) from `from` to `to`, without its dial job. */
export async function insertQueuedCall(
  store: Store,
  o: { orgId: number; from: string; to?: string },
): Promise<{ id: number }> {
  const now = new Date().toISOString();
  return store.db
    .insertInto('calls')
    .values({
      org_id: o.orgId,
      direction: 'outbound',
      from_number: o.from,
      to_number: o.to ?? '+15550123456',
      status: 'in_progress',
      config: JSON.stringify({
        prompt: 'Be brief.',
        voice: 'en-US-James1',
        product: 'spark',
        tools: [],
        speak_order: 'agent_first',
      }),
      variables: '{}',
      product: 'spark',
      voice: 'en-US-James1',
      transcript: '[]',
      metrics: '{}',
      is_test_call: 0,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** The `calls.dial` job of a call, written into the servers' queue (the `jobs` table or pg-boss). */
export async function enqueueDial(store: Store, callId: number): Promise<void> {
  if (store.dialect === 'sqlite') {
    await new DbJobQueue(store, systemClock, silentLogger).enqueue(DIAL_QUEUE, { callId });
    return;
  }
  const boss = new PgBossJobQueue(store, silentLogger);
  await boss.enqueue(DIAL_QUEUE, { callId });
  await boss.stop(100);
}
