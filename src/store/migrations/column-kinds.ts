import { sql, type CreateTableBuilder } from 'kysely';
import type { DialectName } from '../db';

/**
 * Column helpers that make one table definition mean the same on SQLite and PostgreSQL.
 * See store/tables.ts for the conventions (flags as 0/1, ISO text timestamps, JSON text).
 */
export function withSerialId<T extends string>(
  table: CreateTableBuilder<T, never>,
  dialect: DialectName,
): CreateTableBuilder<T, 'id'> {
  return dialect === 'sqlite'
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn('id', sql`bigserial`, (c) => c.primaryKey());
}

/** Integer wide enough for ids and cents on both dialects. */
export const bigint = (dialect: DialectName) => (dialect === 'sqlite' ? 'integer' : 'bigint') as 'integer';
