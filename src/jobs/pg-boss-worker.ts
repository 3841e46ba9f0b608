import type PgBoss from 'pg-boss';
import type { Logger } from '../shared/log';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailableError, isRetryableDatabaseError } from '../store/database-errors';
import type { JobHandler } from './job-queue';

export interface PgBossWorkerOptions {
  boss: PgBoss;
  queue: string;
  handler: JobHandler;
  /** Idle poll interval. */
  pollMs: number;
  log: Logger;
  /** Measures how long a job has been retried through an outage. */
  clock: Clock;
  /** A database connection failure seen by this worker (DatabaseHealth logs the outage once). */
  onDatabaseError: (err: unknown, source: string) => void;
  /** How long a job whose handler or result write hits a database outage keeps being retried here (default 10 min). */
  outageRetryMs?: number;
}

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;

/**
 * One fetch loop of a pg-boss queue (`concurrency` of them run per queue). Our own loop instead of
 * `boss.work()`: pg-boss 10 does not await its complete()/fail() writes, so a job ending while
 * PostgreSQL restarts is an unhandled rejection that ends the process. Here every write is awaited
 * and retried while the database is unavailable, and a handler that failed only because the
 * database was unavailable runs again (same attempt: handlers are idempotent) instead of using up
 * its attempts during an outage.
 */
export class PgBossWorker {
  readonly #o: PgBossWorkerOptions;
  #stopping = false;
  #abandoned = false;
  #loop: Promise<void> | undefined;
  /** The job in hand (fetched, result not yet recorded). */
  #current: PgBoss.JobWithMetadata<unknown> | undefined;
  #wakeIdle: (() => void) | undefined;
  readonly #sleepers = new Set<() => void>();

  constructor(options: PgBossWorkerOptions) {
    this.#o = options;
  }

  start(): void {
    this.#loop ??= this.#run().catch((err: unknown) =>
      this.#o.log.error({ queue: this.#o.queue, err }, 'job worker loop ended unexpectedly'),
    );
  }

  /** A job was enqueued: fetch now instead of at the next poll. */
  notify(): void {
    this.#wakeIdle?.();
  }

  /**
   * Stops fetching and waits for the job in hand. After `graceMs` a job still running is failed
   * (so pg-boss retries it soon, as its own stop() does) and pending writes are abandoned.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#wakeIdle?.();
    if (!this.#loop) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((r) => (timer = setTimeout(r, graceMs)));
    await Promise.race([this.#loop, graceOver]);
    clearTimeout(timer);
    this.#abandoned = true;
    for (const wake of [...this.#sleepers]) wake();
    const left = this.#current;
    if (left)
      await this.#o.boss
        .fail(this.#o.queue, left.id, { message: 'shut down while active' })
        .catch((err: unknown) => this.#o.log.warn({ queue: this.#o.queue, jobId: left.id, err }, 'job left active'));
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      const job = await this.#fetch();
      if (!job) {
        await this.#sleep(this.#o.pollMs, true);
        continue;
      }
      this.#current = job;
      await this.#handle(job);
      this.#current = undefined;
    }
  }

  async #fetch(): Promise<PgBoss.JobWithMetadata<unknown> | undefined> {
    try {
      const [job] = await this.#o.boss.fetch<unknown>(this.#o.queue, { batchSize: 1, includeMetadata: true });
      return job;
    } catch (err) {
      this.#noteError(err, 'fetch');
      return undefined;
    }
  }

  async #handle(job: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    const { queue, log } = this.#o;
    const startedMs = this.#o.clock.monotonicMs();
    let backoffMs = FIRST_BACKOFF_MS;
    for (;;) {
      try {
        await this.#o.handler({
          id: job.id,
          queue,
          payload: job.data,
          attempt: job.retryCount + 1,
          maxAttempts: job.retryLimit + 1,
        });
        await this.#record(job, undefined);
        return;
      } catch (err) {
        // Only the store's own verdict (a handler's other errors, e.g. a network error of its own, fail the job).
        const outage = err instanceof AppError && err.code === DATABASE_UNAVAILABLE;
        if (outage && this.#mayRetry(startedMs)) {
          this.#noteError(err, `job ${queue}`);
          await this.#sleep(backoffMs);
          backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
          continue;
        }
        log.warn({ queue, jobId: job.id, attempt: job.retryCount + 1, err }, 'job failed');
        await this.#record(job, err);
        return;
      }
    }
  }

  /** complete() / fail(), retried while the database is unavailable (pg-boss would not await them). */
  async #record(job: PgBoss.JobWithMetadata<unknown>, failure: unknown): Promise<void> {
    const { boss, queue, log } = this.#o;
    const startedMs = this.#o.clock.monotonicMs();
    let backoffMs = FIRST_BACKOFF_MS;
    for (;;) {
      try {
        if (failure === undefined) await boss.complete(queue, job.id);
        else await boss.fail(queue, job.id, { message: String((failure as Error)?.message ?? failure).slice(0, 500) });
        return;
      } catch (err) {
        if (
          !isRetryableDatabaseError(err) ||
          this.#abandoned ||
          this.#o.clock.monotonicMs() - startedMs > this.#outageRetryMs()
        ) {
          log.error({ queue, jobId: job.id, err }, 'job result not recorded; the job runs again when it expires');
          return;
        }
        this.#noteError(err, `job ${queue}`);
        await this.#sleep(backoffMs);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      }
    }
  }

  #mayRetry(startedMs: number): boolean {
    return !this.#stopping && this.#o.clock.monotonicMs() - startedMs < this.#outageRetryMs();
  }

  #outageRetryMs(): number {
    return this.#o.outageRetryMs ?? 600_000;
  }

  #noteError(err: unknown, source: string): void {
    if (isDatabaseUnavailableError(err)) this.#o.onDatabaseError(err, source);
    else this.#o.log.error({ queue: this.#o.queue, err }, 'job queue error');
  }

  /** Waits `ms`; stop() ends every wait, notify() ends an idle one. */
  #sleep(ms: number, idle = false): Promise<void> {
    if (this.#abandoned || (idle && this.#stopping)) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        if (this.#wakeIdle === wake) this.#wakeIdle = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
      if (idle) this.#wakeIdle = wake;
    });
  }
}
