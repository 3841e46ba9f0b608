import { sql } from 'kysely';
import type { Store } from '../store/db';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import {
  retryDelayMs,
  type EnqueueOptions,
  type Job,
  type JobHandler,
  type JobQueue,
  type WorkOptions,
} from './job-queue';

interface Worker {
  handler: JobHandler;
  concurrency: number;
  running: number;
}

/**
 * Job queue on the `jobs` table. Durable (jobs survive restarts) and single-process: on start,
 * jobs left `active` by a dead process are made `pending` again. Used with SQLite.
 */
export class DbJobQueue implements JobQueue {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #workers = new Map<string, Worker>();
  readonly #inflight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #polling = false;
  #pollAgain = false;

  constructor(store: Store, clock: Clock, log: Logger, options: { pollMs?: number } = {}) {
    this.#store = store;
    this.#clock = clock;
    this.#log = log;
    this.#pollMs = options.pollMs ?? 200;
  }

  async enqueue(queue: string, payload: unknown, options: EnqueueOptions = {}): Promise<string | null> {
    const db = options.trx ?? this.#store.db;
    const now = this.#clock.nowMs();
    if (options.singletonKey !== undefined) {
      const existing = await db
        .selectFrom('jobs')
        .select('id')
        .where('queue', '=', queue)
        .where('singleton_key', '=', options.singletonKey)
        .where('state', 'in', ['pending', 'active'])
        .executeTakeFirst();
      if (existing) return null;
    }
    const iso = new Date(now).toISOString();
    const row = await db
      .insertInto('jobs')
      .values({
        queue,
        payload: JSON.stringify(payload ?? null),
        singleton_key: options.singletonKey ?? null,
        state: 'pending',
        run_at: new Date(now + (options.delayMs ?? 0)).toISOString(),
        attempts: 0,
        max_attempts: options.maxAttempts ?? 5,
        created_at: iso,
        updated_at: iso,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Wake the poller soon (after the caller's transaction has had a chance to commit).
    if (this.#running) setImmediate(() => this.#poll());
    return String(row.id);
  }

  async work<T>(queue: string, handler: JobHandler<T>, options: WorkOptions = {}): Promise<void> {
    this.#workers.set(queue, { handler: handler as JobHandler, concurrency: options.concurrency ?? 4, running: 0 });
    if (this.#running) setImmediate(() => this.#poll());
  }

  async stopWorking(queue: string): Promise<void> {
    // Running jobs keep their Worker object (#run holds it); the poller no longer sees the queue.
    this.#workers.delete(queue);
  }

  async depth(): Promise<Record<string, number>> {
    const rows = await this.#store.db
      .selectFrom('jobs')
      .select(['queue', (eb) => eb.fn.countAll<number>().as('n')])
      .where('state', '=', 'pending')
      .groupBy('queue')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.queue, Number(r.n)]));
  }

  /** Succeeded jobs are deleted at once; failed ones (given up) stay for inspection until pruned. */
  async pruneFinished(beforeIso: string): Promise<number> {
    const res = await this.#store.db
      .deleteFrom('jobs')
      .where('state', '=', 'failed')
      .where('updated_at', '<', beforeIso)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async start(): Promise<void> {
    await this.#store.db
      .updateTable('jobs')
      .set({ state: 'pending', locked_until: null })
      .where('state', '=', 'active')
      .execute();
    this.#running = true;
    this.#timer = setInterval(() => this.#poll(), this.#pollMs);
    this.#timer.unref();
    setImmediate(() => this.#poll());
  }

  async stop(graceMs = 5000): Promise<void> {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    const all = Promise.allSettled([...this.#inflight]);
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  #poll(): void {
    if (!this.#running) return;
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    this.#polling = true;
    this.#claimAndRun()
      .catch((err: unknown) => this.#log.error({ err }, 'job poll failed'))
      .finally(() => {
        this.#polling = false;
        if (this.#pollAgain) {
          this.#pollAgain = false;
          this.#poll();
        }
      });
  }

  async #claimAndRun(): Promise<void> {
    for (const [queue, worker] of this.#workers) {
      while (this.#running && worker.running < worker.concurrency) {
        const job = await this.#claim(queue);
        if (!job) break;
        worker.running += 1;
        const p = this.#run(job, worker).finally(() => {
          worker.running -= 1;
          this.#inflight.delete(p);
          this.#poll();
        });
        this.#inflight.add(p);
      }
    }
  }

  async #claim(queue: string): Promise<Job | undefined> {
    const nowIso = new Date(this.#clock.nowMs()).toISOString();
    const candidate = await this.#store.db
      .selectFrom('jobs')
      .selectAll()
      .where('queue', '=', queue)
      .where('state', '=', 'pending')
      .where('run_at', '<=', nowIso)
      .orderBy('run_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (!candidate) return undefined;
    const claimed = await this.#store.db
      .updateTable('jobs')
      .set({ state: 'active', attempts: sql`attempts + 1`, updated_at: nowIso })
      .where('id', '=', candidate.id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return undefined;
    return {
      id: String(candidate.id),
      queue,
      payload: JSON.parse(candidate.payload) as unknown,
      attempt: candidate.attempts + 1,
      maxAttempts: candidate.max_attempts,
    };
  }

  async #run(job: Job, worker: Worker): Promise<void> {
    const id = Number(job.id);
    try {
      await worker.handler(job);
      await this.#store.db.deleteFrom('jobs').where('id', '=', id).execute();
    } catch (err) {
      const giveUp = job.attempt >= job.maxAttempts;
      this.#log.warn({ queue: job.queue, jobId: job.id, attempt: job.attempt, giveUp, err }, 'job failed');
      const now = this.#clock.nowMs();
      await this.#store.db
        .updateTable('jobs')
        .set({
          state: giveUp ? 'failed' : 'pending',
          run_at: new Date(now + retryDelayMs(job.attempt)).toISOString(),
          last_error: String((err as Error)?.message ?? err).slice(0, 500),
          updated_at: new Date(now).toISOString(),
        })
        .where('id', '=', id)
        .execute();
    }
  }
}
