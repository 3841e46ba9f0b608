import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testDialects, TEST_PG_URL } from '../../test/support/dialects';
import { loadConfig } from '../config/load';
import { buildDeps } from '../app/build-deps';
import { openStore, type DialectName } from '../store/db';
import { systemClock } from '../shared/clock';
import { cryptoIds } from '../shared/ids';
import { silentLogger } from '../shared/log';
import { createOrg } from '../orgs/org-service';
import { startWebhookWorkers } from './start-webhook-workers';
import { WebhookReceiver } from './testing/webhook-receiver';
import { verifySignature } from './testing/webhook-fixture';

interface Db {
  url: string;
  schema?: string;
  drop(): Promise<void>;
}

function database(dialect: DialectName): Db {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tp-wh-'));
    return { url: `sqlite:${join(dir, 'tp.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `t_whd_${process.pid}_${Date.now().toString(36)}`;
  return {
    url: TEST_PG_URL,
    schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.query(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
      await c.end();
    },
  };
}

async function instance(db: Db, secretKeyHex: string) {
  const config = loadConfig(
    { DATABASE_URL: db.url, THUNDERPHONE_SECRET_KEY: secretKeyHex, LOG_LEVEL: 'silent' },
    { persistSecretKey: false },
  );
  const store = await openStore(db.url, db.schema === undefined ? {} : { schema: db.schema });
  return buildDeps({ config, clock: systemClock, ids: cryptoIds, log: silentLogger, store, queuePollMs: 50 });
}

function runChild(
  args: object,
): Promise<{ signal: NodeJS.Signals | null; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'testing', 'emit-then-die.ts'), JSON.stringify(args)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function eventually(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const dialect of testDialects()) {
  describe(`webhook durability [${dialect}]`, () => {
    test('a process killed right after committing an event loses nothing: the next process delivers it exactly once', async () => {
      const db = database(dialect);
      const secretKeyHex = randomBytes(32).toString('hex');
      const rx = await WebhookReceiver.start();
      rx.script = () => ({ status: 200 });
      const setup = await instance(db, secretKeyHex);
      let second: Awaited<ReturnType<typeof instance>> | undefined;
      try {
        const { org } = await createOrg(setup.store.db, systemClock, cryptoIds, { name: 'Durable org' });
        const ep = await setup.webhooks.endpoints.create(Number(org.id), {
          label: 'crash test',
          url: rx.url(),
          events: [],
        });
        await setup.store.destroy();

        const child = await runChild({ databaseUrl: db.url, schema: db.schema, secretKeyHex, orgId: Number(org.id) });
        assert.equal(child.signal, 'SIGKILL', child.stderr);
        assert.equal(child.stdout, 'committed\n');
        assert.equal(rx.requests.length, 0, 'the dying process sent nothing');

        second = await instance(db, secretKeyHex);
        await second.queue.start();
        const workers = await startWebhookWorkers(second, { sweepIntervalMs: 100 });
        // A bound, not a timing goal: the job the dead process had already taken must still be delivered.
        await eventually(() => rx.requests.length >= 1, 60_000);
        // Give the worker and the sweeper time to (wrongly) send it again.
        await new Promise((r) => setTimeout(r, 1_000));
        await workers.sweepNow();
        await new Promise((r) => setTimeout(r, 500));
        workers.stop();
        assert.equal(rx.requests.length, 1);
        const req = rx.requests[0]!;
        const eventId = String(req.headers['x-thunderphone-event-id']);
        assert.equal(
          req.raw.toString(),
          `{"data":{"call_id":4242,"status":"completed"},"event_id":"${eventId}","type":"telephony.complete"}`,
        );
        assert.ok(verifySignature(ep.secret, req.raw, req.headers['x-thunderphone-signature']));
        const row = await second.store.db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
        assert.equal(row.status, 'delivered');
        assert.equal(row.attempts, 1);
      } finally {
        if (second) {
          await second.queue.stop(1000);
          await second.store.destroy();
        }
        await rx.close();
        await db.drop();
      }
    });
  });
}
