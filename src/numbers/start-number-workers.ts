import type { Kysely } from 'kysely';
import type { DB } from '../store/tables';
import type { JobQueue } from '../jobs/job-queue';
import type { Clock } from '../shared/clock';
import { NUMBER_ACTIVATE_QUEUE } from './numbers-deps';

/** Registers the `numbers.activate` worker (a demo number: provisioning → active). Idempotent. */
export async function startNumberWorkers(deps: {
  store: { db: Kysely<DB> };
  queue: JobQueue;
  clock: Clock;
}): Promise<void> {
  await deps.queue.work<{ phoneNumberId: number }>(NUMBER_ACTIVATE_QUEUE, async (job) => {
    await deps.store.db
      .updateTable('phone_numbers')
      .set({ status: 'active', updated_at: deps.clock.nowIso() })
      .where('id', '=', Number(job.payload.phoneNumberId))
      .where('source', '=', 'demo')
      .where('status', '=', 'provisioning')
      .where('released_at', 'is', null)
      .execute();
  });
}
