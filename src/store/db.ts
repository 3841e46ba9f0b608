import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type LogEvent,
  type PostgresPool,
  type PostgresPoolClient,
} from 'kysely';
import { systemClock, type Clock } from '../shared/clock';
import { silentLogger, type Logger } from '../shared/log';
import type { DB } from './tables';
import { DatabaseHealth } from './database-health';
import { databaseUnavailable, isDatabaseUnavailableError, loggableDatabaseError } from './database-errors';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<DB>;
  dialect: DialectName;
  /** For PostgreSQL: the schema the tables live in (tests use one schema each). */
  schema: string | undefined;
  /** Connection string, for adapters that need their own connection (pg-boss). */
  url: string;
  /** Whether the database answers (outages are logged once; /v1/healthz shows it). */
  health: DatabaseHealth;
  destroy(): Promise<void>;
}

export interface OpenStoreOptions {
  /** PostgreSQL only: put every table in this schema (created when missing). */
  schema?: string;
  poolSize?: number;
  /** PostgreSQL only: how long a query waits for a connection before it fails (default 5 s). */
  connectTimeoutMs?: number;
  log?: Logger;
  clock?: Clock;
}

// int8 (bigint ids, sums) as JS numbers: our values stay far below 2^53.
const pgTypes = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format),
};

/** Opens `sqlite:<path>` or `postgres://...`. Plumbing only: no domain queries here. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? systemClock;
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length) || ':memory:';
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new Database(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
    const health = new DatabaseHealth({ probe: () => probe(db), clock, log });
    return { db, dialect: 'sqlite', schema: undefined, url, health, destroy: () => closeAll(db, health) };
  }
  const schema = options.schema;
  if (schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('invalid schema name');
    const admin = new pg.Client({ connectionString: url });
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: pgTypes,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    keepAlive: true,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  const onConnectionError = (err: unknown, source: string): void => {
    if (isDatabaseUnavailableError(err)) health.noteFailure(err, source);
    else log.warn({ err: loggableDatabaseError(err), source }, 'database connection error');
  };
  // A server restart or pg_terminate_backend kills idle connections (the pool emits 'error') and
  // connections checked out between two queries (the client emits 'error'): without listeners
  // either one is an unhandled 'error' event that ends the process.
  pool.on('error', (err) => onConnectionError(err, 'idle connection'));
  pool.on('connect', (client) => client.on('error', (err) => onConnectionError(err, 'connection')));
  // Queries see a connection failure as AppError `database_unavailable` (503 in the API, retried by
  // the job queue and the call finalizer); every other error is passed on unchanged.
  const unavailable = (err: unknown, source: string): unknown => {
    if (!isDatabaseUnavailableError(err)) return err;
    health.noteFailure(err, source);
    return databaseUnavailable(err);
  };
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const guardedPool: PostgresPool = {
    connect: async () => {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw unavailable(err, 'connect');
      }
      let guarded = wrapped.get(client);
      if (!guarded) {
        const c = client;
        guarded = {
          query: ((text: string, values: readonly unknown[]) =>
            c.query(text, values as unknown[]).catch((err: unknown) => {
              throw unavailable(err, 'query');
            })) as unknown as PostgresPoolClient['query'],
          release: (destroy?: boolean) => c.release(destroy),
        };
        wrapped.set(client, guarded);
      }
      return guarded;
    },
    end: () => pool.end(),
  };
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: guardedPool }),
    log: (event: LogEvent) => {
      if (event.level === 'query') health.noteSuccess(clock.nowMs() - event.queryDurationMillis);
    },
  });
  // Declared after the pool and Kysely, whose listeners only call it once queries run.
  const health = new DatabaseHealth({ probe: () => probe(db), clock, log });
  return { db, dialect: 'postgres', schema, url, health, destroy: () => closeAll(db, health) };
}

async function probe(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}

async function closeAll(db: Kysely<DB>, health: DatabaseHealth): Promise<void> {
  health.close();
  await db.destroy();
}
