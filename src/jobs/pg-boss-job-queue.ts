import PgBoss from 'pg-boss';
import { AppError } from '../shared/errors';
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Store } from '../store/db';
import type { DB } from '../store/tables';
import type { Logger } from '../shared/log';
import { systemClock } from '../shared/clock';
import { databaseUnavailable, isDatabaseUnavailableError } from '../store/database-errors';
import { PgBossWorker } from './pg-boss-worker';
import { retryDelayMs, type EnqueueOptions, type JobHandler, type JobQueue, type WorkOptions } from './job-queue';

/** pg.Pool options pg-boss passes through to its pool (not in its types): like the store's, fail fast. */
const PG_POOL_EXTRAS: object = { connectionTimeoutMillis: 5000, keepAlive: true };

/** Lets pg-boss insert a job through a Kysely transaction (transactional enqueue). */
function executorOf(db: Transaction<DB> | Kysely<DB>): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      const result = await db.executeQuery(CompiledQuery.raw(text, values as unknown[]));
      return { rows: result.rows };
    },
  };
}

/**
 * pg-boss 10 adapter: jobs live in PostgreSQL (schema `<store schema>_boss`, or `pgboss`),
 * survive restarts and are shared by every process on the same database. Jobs are taken by our
 * own fetch loops (pg-boss-worker.ts), which ride out a database restart; pg-boss's connection
 * errors feed the store's DatabaseHealth (one warning per outage).
 */
export class PgBossJobQueue implements JobQueue {
  readonly #boss: PgBoss;
  readonly #schema: string;
  readonly #log: Logger;
  readonly #queues = new Set<string>();
  readonly #workers = new Map<string, PgBossWorker[]>();
  readonly #store: Store;
  readonly #pollMs: number;
  #starting: Promise<void> | undefined;

  /** `deleteAfterDays`: pg-boss's own maintenance deletes archived jobs after this (JOB_RETENTION_DAYS; 0 = its default). */
  constructor(store: Store, log: Logger, options: { pollingIntervalSeconds?: number; deleteAfterDays?: number } = {}) {
    this.#schema = store.schema === undefined ? 'pgboss' : `${store.schema}_boss`;
    this.#log = log;
    this.#store = store;
    this.#pollMs = (options.pollingIntervalSeconds ?? 1) * 1000;
    this.#boss = new PgBoss({
      connectionString: store.url,
      schema: this.#schema,
      max: 4,
      supervise: true,
      schedule: false,
      expireInSeconds: 3600,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1,
      ...(options.deleteAfterDays ? { deleteAfterDays: options.deleteAfterDays } : {}),
      ...PG_POOL_EXTRAS,
    });
    this.#boss.on('error', (err) => {
      if (isDatabaseUnavailableError(err)) store.health.noteFailure(err, 'job queue');
      else this.#log.error({ err }, 'pg-boss error');
    });
  }

  async #ensureQueue(queue: string): Promise<void> {
    // pg-boss silently drops sends and workers made before start(): start lazily instead.
    await this.start();
    if (this.#queues.has(queue)) return;
    await this.#boss.createQueue(queue);
    this.#queues.add(queue);
  }

  async enqueue(queue: string, payload: unknown, options: EnqueueOptions = {}): Promise<string | null> {
    try {
      return await this.#enqueue(queue, payload, options);
    } catch (err) {
      // pg-boss's own pool: the same `database_unavailable` the store reports for its connections.
      if (err instanceof AppError || !isDatabaseUnavailableError(err)) throw err;
      this.#store.health.noteFailure(err, 'job queue');
      throw databaseUnavailable(err);
    }
  }

  async #enqueue(queue: string, payload: unknown, options: EnqueueOptions): Promise<string | null> {
    await this.#ensureQueue(queue);
    const db = options.trx ?? undefined;
    if (options.singletonKey !== undefined) {
      // Only jobs not yet taken count: a job taken by a process that then died stays `active` in
      // pg-boss until it expires, and must not block its own re-enqueue (handlers are idempotent).
      const runner = db ?? null;
      const text = `SELECT 1 FROM ${this.#schema}.job WHERE name = $1 AND singleton_key = $2 AND state IN ('created','retry') LIMIT 1`;
      const rows = runner
        ? (await runner.executeQuery(CompiledQuery.raw(text, [queue, options.singletonKey]))).rows
        : (await this.#boss.getDb().executeSql(text, [queue, options.singletonKey])).rows;
      if (rows.length > 0) return null;
    }
    const maxAttempts = options.maxAttempts ?? 5;
    const id = await this.#boss.send(queue, payload ?? {}, {
      // pg-boss compares startAfter with the database's wall clock, so this is the system clock too.
      ...(options.delayMs ? { startAfter: new Date(systemClock.nowMs() + options.delayMs) } : {}),
      ...(options.singletonKey !== undefined ? { singletonKey: options.singletonKey } : {}),
      retryLimit: maxAttempts - 1,
      retryDelay: Math.ceil(retryDelayMs(1) / 1000),
      retryBackoff: true,
      ...(db ? { db: executorOf(db) } : {}),
    });
    if (!db) for (const w of this.#workers.get(queue) ?? []) w.notify();
    return id;
  }

  async work<T>(queue: string, handler: JobHandler<T>, options: WorkOptions = {}): Promise<void> {
    await this.#ensureQueue(queue);
    const workers: PgBossWorker[] = [];
    for (let i = 0; i < (options.concurrency ?? 4); i++) {
      const worker = new PgBossWorker({
        boss: this.#boss,
        queue,
        handler: handler as JobHandler,
        pollMs: this.#pollMs,
        log: this.#log,
        clock: systemClock,
        onDatabaseError: (err, source) => this.#store.health.noteFailure(err, source),
      });
      worker.start();
      workers.push(worker);
    }
    this.#workers.set(queue, [...(this.#workers.get(queue) ?? []), ...workers]);
  }

  async start(): Promise<void> {
    this.#starting ??= this.#boss.start().then(() => undefined);
    await this.#starting;
  }

  async stopWorking(queue: string, graceMs = 60_000): Promise<void> {
    const workers = this.#workers.get(queue) ?? [];
    this.#workers.delete(queue);
    await Promise.all(workers.map((w) => w.stop(graceMs)));
  }

  async depth(): Promise<Record<string, number>> {
    const { rows } = await this.#store.db.executeQuery<{ name: string; n: string }>(
      CompiledQuery.raw(
        `SELECT name, count(*) AS n FROM ${this.#schema}.job WHERE state IN ('created', 'retry') GROUP BY name`,
      ),
    );
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
  }

  /**
   * Finished jobs in pg-boss's job table (completed, failed, cancelled) and its archive. pg-boss's
   * own maintenance archives and deletes too (deleteAfterDays); this makes the age exact and testable.
   */
  async pruneFinished(beforeIso: string): Promise<number> {
    await this.start();
    const jobs = await this.#store.db.executeQuery(
      CompiledQuery.raw(
        `DELETE FROM ${this.#schema}.job WHERE state IN ('completed', 'failed', 'cancelled') AND completed_on < $1`,
        [beforeIso],
      ),
    );
    const archived = await this.#store.db.executeQuery(
      CompiledQuery.raw(`DELETE FROM ${this.#schema}.archive WHERE archived_on < $1`, [beforeIso]),
    );
    return Number(jobs.numAffectedRows ?? 0) + Number(archived.numAffectedRows ?? 0);
  }

  async stop(graceMs = 5000): Promise<void> {
    if (this.#starting === undefined) return;
    await this.#starting.catch(() => undefined);
    this.#starting = undefined;
    const workers = [...this.#workers.values()].flat();
    this.#queues.clear();
    this.#workers.clear();
    await Promise.all(workers.map((w) => w.stop(graceMs)));
    await this.#boss.stop({ graceful: true, timeout: graceMs, wait: true });
  }
}
