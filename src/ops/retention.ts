import { unlink } from 'node:fs/promises';
import type { Store } from '../store/db';
import type { JobQueue } from '../jobs/job-queue';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { systemTimers, type TimerHandle, type Timers } from '../shared/timers';

export interface RetentionAges {
  /** Webhook events (with their deliveries and attempts) older than this are deleted; 0 = kept. */
  webhookDays: number;
  /** Finished jobs older than this are deleted; 0 = kept. */
  jobDays: number;
  /** Recordings of calls that ended this long ago are deleted; 0 = kept. */
  recordingDays: number;
}

export interface RetentionReport {
  webhookEvents: number;
  webhookAttempts: number;
  jobs: number;
  recordings: number;
}

export interface RetentionDeps {
  store: Store;
  queue: JobQueue;
  clock: Clock;
  log: Logger;
  ages: RetentionAges;
}

const DAY_MS = 86_400_000;
/** Rows per delete statement: short transactions that never hold locks for long. */
const BATCH = 500;

/**
 * One retention pass. Webhook events older than WEBHOOK_RETENTION_DAYS go with their deliveries
 * and attempts, but never while a delivery of theirs is still pending (no webhook is lost); old
 * attempts of finished deliveries go too. Finished jobs older than JOB_RETENTION_DAYS go
 * (JobQueue.pruneFinished). Recordings of calls that ended more than RECORDING_RETENTION_DAYS
 * ago are deleted from disk and the call's recording_path cleared (its recording_url becomes
 * null). Idempotent: several servers may run it at the same time.
 */
export async function pruneOnce(d: RetentionDeps): Promise<RetentionReport> {
  const nowMs = d.clock.nowMs();
  const before = (days: number) => new Date(nowMs - days * DAY_MS).toISOString();
  const report: RetentionReport = { webhookEvents: 0, webhookAttempts: 0, jobs: 0, recordings: 0 };
  if (d.ages.webhookDays > 0) Object.assign(report, await pruneWebhooks(d.store, before(d.ages.webhookDays)));
  if (d.ages.jobDays > 0) report.jobs = await d.queue.pruneFinished(before(d.ages.jobDays));
  if (d.ages.recordingDays > 0) report.recordings = await pruneRecordings(d, before(d.ages.recordingDays));
  return report;
}

async function pruneWebhooks(
  store: Store,
  beforeIso: string,
): Promise<Pick<RetentionReport, 'webhookEvents' | 'webhookAttempts'>> {
  const db = store.db;
  let webhookEvents = 0;
  let webhookAttempts = 0;
  for (;;) {
    const ids = (
      await db
        .selectFrom('webhook_events as e')
        .select('e.id')
        .where('e.created_at', '<', beforeIso)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('webhook_deliveries as d')
                .select('d.id')
                .whereRef('d.event_id', '=', 'e.id')
                .where('d.status', '=', 'pending'),
            ),
          ),
        )
        .limit(BATCH)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) break;
    await db.transaction().execute(async (trx) => {
      const attempts = await trx.deleteFrom('webhook_attempts').where('event_id', 'in', ids).executeTakeFirst();
      webhookAttempts += Number(attempts.numDeletedRows);
      await trx.deleteFrom('webhook_deliveries').where('event_id', 'in', ids).execute();
      const events = await trx.deleteFrom('webhook_events').where('id', 'in', ids).executeTakeFirst();
      webhookEvents += Number(events.numDeletedRows);
    });
    if (ids.length < BATCH) break;
  }
  // Old attempts of deliveries that are over (their event may still be young: a 24 h retry series).
  const old = await db
    .deleteFrom('webhook_attempts')
    .where('created_at', '<', beforeIso)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('webhook_deliveries as d')
            .select('d.id')
            .whereRef('d.id', '=', 'webhook_attempts.delivery_id')
            .where('d.status', '=', 'pending'),
        ),
      ),
    )
    .executeTakeFirst();
  webhookAttempts += Number(old.numDeletedRows);
  return { webhookEvents, webhookAttempts };
}

async function pruneRecordings(d: RetentionDeps, beforeIso: string): Promise<number> {
  let n = 0;
  for (;;) {
    const rows = await d.store.db
      .selectFrom('calls')
      .select(['id', 'recording_path'])
      .where('status', '!=', 'in_progress')
      .where('recording_path', 'is not', null)
      .where('end_time', '<', beforeIso)
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      try {
        await unlink(row.recording_path!);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          d.log.warn({ callId: row.id, err }, 'recording could not be deleted; kept for the next pass');
          continue;
        }
      }
      await d.store.db.updateTable('calls').set({ recording_path: null }).where('id', '=', row.id).execute();
      n += 1;
    }
    if (rows.length < BATCH) return n;
  }
}

/** Runs pruneOnce a minute after start, then every `intervalMs` (default 1 h), never overlapping. */
export class RetentionSweeper {
  readonly #d: RetentionDeps;
  readonly #timers: Timers;
  readonly #intervalMs: number;
  #handle: TimerHandle | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;

  constructor(d: RetentionDeps, o: { timers?: Timers; intervalMs?: number; firstRunMs?: number } = {}) {
    this.#d = d;
    this.#timers = o.timers ?? systemTimers;
    this.#intervalMs = o.intervalMs ?? 3_600_000;
    this.#schedule(o.firstRunMs ?? 60_000);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#handle = this.#timers.set(delayMs, () => {
      this.#running = pruneOnce(this.#d)
        .then((report) => {
          if (Object.values(report).some((n) => n > 0)) this.#d.log.info(report, 'retention: old data deleted');
        })
        .catch((err: unknown) => this.#d.log.warn({ err }, 'retention pass failed; next one later'))
        .finally(() => {
          this.#running = undefined;
          this.#schedule(this.#intervalMs);
        });
    });
    (this.#handle as { unref?: () => void }).unref?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#handle !== undefined) this.#timers.clear(this.#handle);
    await this.#running;
  }
}
