import PgBoss from 'pg-boss';
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Store } from '../store/db';
import type { DB } from '../store/tables';
import type { Logger } from '../shared/log';
import { systemClock } from '../shared/clock';
import { retryDelayMs, type EnqueueOptions, type JobHandler, type JobQueue, type WorkOptions } from './job-queue';

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
 * survive restarts and are shared by every process on the same database.
 */
export class PgBossJobQueue implements JobQueue {
  readonly #boss: PgBoss;
  readonly #schema: string;
  readonly #log: Logger;
  readonly #queues = new Set<string>();
  readonly #workerIds = new Map<string, string[]>();
  #starting: Promise<void> | undefined;

  constructor(store: Store, log: Logger, options: { pollingIntervalSeconds?: number } = {}) {
    this.#schema = store.schema === undefined ? 'pgboss' : `${store.schema}_boss`;
    this.#log = log;
    this.#boss = new PgBoss({
      connectionString: store.url,
      schema: this.#schema,
      max: 4,
      supervise: true,
      schedule: false,
      expireInSeconds: 3600,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1,
    });
    this.#boss.on('error', (err) => this.#log.error({ err }, 'pg-boss error'));
  }

  async #ensureQueue(queue: string): Promise<void> {
    // pg-boss silently drops sends and workers made before start(): start lazily instead.
    await this.start();
    if (this.#queues.has(queue)) return;
    await this.#boss.createQueue(queue);
    this.#queues.add(queue);
  }

  async enqueue(queue: string, payload: unknown, options: EnqueueOptions = {}): Promise<string | null> {
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
    if (!db) for (const w of this.#workerIds.get(queue) ?? []) this.#boss.notifyWorker(w);
    return id;
  }

  async work<T>(queue: string, handler: JobHandler<T>, options: WorkOptions = {}): Promise<void> {
    await this.#ensureQueue(queue);
    const ids: string[] = [];
    for (let i = 0; i < (options.concurrency ?? 4); i++) {
      const id = await this.#boss.work<T>(queue, { batchSize: 1, includeMetadata: true }, async ([job]) => {
        if (!job) return;
        await handler({
          id: job.id,
          queue,
          payload: job.data,
          attempt: job.retryCount + 1,
          maxAttempts: job.retryLimit + 1,
        });
      });
      ids.push(id);
    }
    this.#workerIds.set(queue, ids);
  }

  async start(): Promise<void> {
    this.#starting ??= this.#boss.start().then(() => undefined);
    await this.#starting;
  }

  async stop(graceMs = 5000): Promise<void> {
    if (this.#starting === undefined) return;
    await this.#starting.catch(() => undefined);
    this.#starting = undefined;
    this.#queues.clear();
    this.#workerIds.clear();
    await this.#boss.stop({ graceful: true, timeout: graceMs, wait: true });
  }
}
