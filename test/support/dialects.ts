import { after, before, describe } from 'node:test';
import pg from 'pg';
import { openStore, type DialectName, type Store } from '../../src/store/db';

/** Dialects the suite runs on: `DIALECTS=sqlite` locally if you have no PostgreSQL; both by default. */
export function testDialects(): DialectName[] {
  const raw = process.env.DIALECTS ?? 'sqlite,postgres';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is DialectName => s === 'sqlite' || s === 'postgres');
}

export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let counter = 0;

/** A fresh, empty store: SQLite in memory, or a new PostgreSQL schema dropped on close. */
export async function openTestStore(dialect: DialectName): Promise<Store> {
  if (dialect === 'sqlite') return openStore('sqlite::memory:');
  counter += 1;
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${counter}`;
  const store = await openStore(TEST_PG_URL, { schema, poolSize: 5 });
  const destroy = store.destroy;
  return {
    ...store,
    destroy: async () => {
      await destroy();
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.query(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Runs the same suite once per dialect. `setup` runs before the suite and its result is
 * handed to the tests through `get()`; `teardown` runs after.
 */
export function describeEachDialect<T>(
  title: string,
  setup: (dialect: DialectName) => Promise<T>,
  teardown: (value: T) => Promise<void>,
  body: (get: () => T, dialect: DialectName) => void,
): void {
  for (const dialect of testDialects()) {
    describe(`${title} [${dialect}]`, () => {
      let value: T | undefined;
      before(async () => {
        value = await setup(dialect);
      });
      after(async () => {
        if (value !== undefined) await teardown(value);
      });
      body(() => {
        if (value === undefined) throw new Error('suite setup did not run');
        return value;
      }, dialect);
    });
  }
}
