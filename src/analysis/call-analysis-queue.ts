import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/tables';
import type { JobQueue } from '../jobs/job-queue';

/** The durable job of one analysis run: `{ callId }`. */
export const CALL_ANALYSIS_QUEUE = 'calls.analyze';
/** One retry (after about 1 s) before the run is marked failed. */
export const CALL_ANALYSIS_ATTEMPTS = 2;

/**
 * Marks the call's analysis `pending` and enqueues its run, in the caller's transaction (the
 * finalizer's, or POST /v1/calls/{id}/grade's): the job exists iff the request committed.
 */
export async function requestCallAnalysis(
  trx: Transaction<DB> | Kysely<DB>,
  queue: JobQueue,
  callId: number,
  nowIso: string,
): Promise<void> {
  await trx
    .updateTable('calls')
    .set({ grade_status: 'pending', grade_updated_at: nowIso })
    .where('id', '=', callId)
    .execute();
  await queue.enqueue(
    CALL_ANALYSIS_QUEUE,
    { callId },
    { trx, maxAttempts: CALL_ANALYSIS_ATTEMPTS, singletonKey: `analyze:${callId}` },
  );
}
