/**
 * Test helper process (webhook-durability.test.ts): starts a full webhook stack (queue + delivery
 * worker) on the given database, commits one event through the outbox, then kills itself with
 * SIGKILL before the worker can send it — a crash between the state change and the delivery.
 * Usage: node --import tsx emit-then-die.ts '<json {databaseUrl, schema?, secretKeyHex, orgId}>'
 */
import { loadConfig } from '../../config/load';
import { buildDeps } from '../../app/build-deps';
import { openStore } from '../../store/db';
import { systemClock } from '../../shared/clock';
import { cryptoIds } from '../../shared/ids';
import { silentLogger } from '../../shared/log';
import { startWebhookWorkers } from '../start-webhook-workers';

interface Args {
  databaseUrl: string;
  schema?: string;
  secretKeyHex: string;
  orgId: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const config = loadConfig(
    { DATABASE_URL: args.databaseUrl, THUNDERPHONE_SECRET_KEY: args.secretKeyHex, LOG_LEVEL: 'silent' },
    { persistSecretKey: false },
  );
  const store = await openStore(args.databaseUrl, args.schema === undefined ? {} : { schema: args.schema });
  const deps = await buildDeps({
    config,
    clock: systemClock,
    ids: cryptoIds,
    log: silentLogger,
    store,
    queuePollMs: 50,
  });
  await deps.queue.start();
  await startWebhookWorkers(deps, { sweepIntervalMs: 50 });
  await deps.store.db.transaction().execute(async (trx) => {
    await trx.updateTable('orgs').set({ name: 'state changed' }).where('id', '=', args.orgId).execute();
    await deps.webhooks.emit(trx, {
      orgId: args.orgId,
      type: 'telephony.complete',
      data: { call_id: 4242, status: 'completed' },
    });
  });
  process.stdout.write('committed\n');
  // Synchronously, before the poller's next tick can claim the job.
  process.kill(process.pid, 'SIGKILL');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
