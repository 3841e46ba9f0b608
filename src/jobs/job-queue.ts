import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/tables';

/**
 * Durable job queue used for call dialing, webhook delivery and watchdogs.
 * Two adapters: DbJobQueue (a `jobs` table, used with SQLite) and PgBossJobQueue
 * (pg-boss 10, used with PostgreSQL). Handlers must be idempotent: a job can run again
 * after a crash (at-least-once).
 */
export interface EnqueueOptions {
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
  /**
   * While a job with this key waits in the same queue, a second enqueue is a no-op. (PostgreSQL: a job
   * already taken by a worker does not count, since that worker may have died with it.)
   */
  singletonKey?: string;
  /** Total attempts before the job is given up (default 5). */
  maxAttempts?: number;
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  trx?: Transaction<DB> | Kysely<DB>;
}

export interface Job<T = unknown> {
  id: string;
  queue: string;
  payload: T;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

export interface WorkOptions {
  /** Jobs of this queue run at most this many at a time in this process (default 4). */
  concurrency?: number;
}

export type JobHandler<T = unknown> = (job: Job<T>) => Promise<void>;

export interface JobQueue {
  enqueue(queue: string, payload: unknown, options?: EnqueueOptions): Promise<string | null>;
  work<T>(queue: string, handler: JobHandler<T>, options?: WorkOptions): Promise<void>;
  start(): Promise<void>;
  /** This process stops taking jobs of `queue` (other processes still do); jobs in hand run to their end. */
  stopWorking(queue: string): Promise<void>;
  /** Jobs waiting (due or delayed, not yet taken), by queue: GET /metrics `thunderphone_queue_depth`. */
  depth(): Promise<Record<string, number>>;
  /** Deletes jobs that finished (failed for good, completed, cancelled) before `beforeIso`; returns how many. */
  pruneFinished(beforeIso: string): Promise<number>;
  /** Stops taking jobs and waits for running handlers (up to the given ms). */
  stop(graceMs?: number): Promise<void>;
}

/** Exponential backoff between attempts: 1 s, 2 s, 4 s ... capped at 5 min. */
export function retryDelayMs(attempt: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
}
