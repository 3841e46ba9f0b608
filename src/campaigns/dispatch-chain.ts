import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/tables';
import type { JobQueue } from '../jobs/job-queue';
import type { IdGenerator } from '../shared/ids';
import type { Clock } from '../shared/clock';

/**
 * The dispatcher runs as a chain of `campaigns.dispatch` jobs, one chain per campaign. The
 * campaign row holds the chain's token (`dispatch_slot`); a job carries the token it was made
 * for, and only a job whose token is still the row's continues: it runs one dispatch pass, then
 * (in ONE transaction) swaps the token for a new one and enqueues the next job. A crash before
 * the swap retries the same job (same token: the pass is idempotent); after it, the old job is
 * stale and stops. A kick (start/resume) installs a fresh token, so at most one chain lives,
 * across restarts and several servers.
 */
export const CAMPAIGN_DISPATCH_QUEUE = 'campaigns.dispatch';
/** Attempts of one dispatch job before it is given up (database errors; the pass itself never throws for a call). */
export const DISPATCH_JOB_ATTEMPTS = 50;

export interface DispatchJob {
  campaignId: number;
  slot: string;
}

export async function kickDispatcher(
  trx: Transaction<DB> | Kysely<DB>,
  queue: JobQueue,
  ids: IdGenerator,
  clock: Clock,
  campaignId: number,
  delayMs = 0,
): Promise<void> {
  const slot = ids.uuid();
  await trx
    .updateTable('campaigns')
    .set({ dispatch_slot: slot, dispatch_due_at: new Date(clock.nowMs() + delayMs).toISOString() })
    .where('id', '=', campaignId)
    .execute();
  await queue.enqueue(CAMPAIGN_DISPATCH_QUEUE, { campaignId, slot } satisfies DispatchJob, {
    trx,
    delayMs,
    maxAttempts: DISPATCH_JOB_ATTEMPTS,
  });
}

/** Continue the chain after a pass: a new job in `delayMs` (or end it with null). False = this job was stale. */
export async function continueChain(
  db: Kysely<DB>,
  queue: JobQueue,
  ids: IdGenerator,
  clock: Clock,
  job: DispatchJob,
  delayMs: number | null,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const next = delayMs === null ? null : ids.uuid();
    const due = delayMs === null ? null : new Date(clock.nowMs() + Math.max(0, Math.round(delayMs))).toISOString();
    const r = await trx
      .updateTable('campaigns')
      .set({ dispatch_slot: next, dispatch_due_at: due })
      .where('id', '=', job.campaignId)
      .where('dispatch_slot', '=', job.slot)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    if (next !== null && delayMs !== null)
      await queue.enqueue(CAMPAIGN_DISPATCH_QUEUE, { campaignId: job.campaignId, slot: next } satisfies DispatchJob, {
        trx,
        delayMs: Math.max(0, Math.round(delayMs)),
        maxAttempts: DISPATCH_JOB_ATTEMPTS,
      });
    return true;
  });
}

export async function isCurrentSlot(db: Kysely<DB>, job: DispatchJob): Promise<boolean> {
  const row = await db
    .selectFrom('campaigns')
    .select('dispatch_slot')
    .where('id', '=', job.campaignId)
    .executeTakeFirst();
  return row?.dispatch_slot === job.slot;
}
