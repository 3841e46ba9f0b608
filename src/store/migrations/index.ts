import type { Kysely } from 'kysely';
import type { DialectName } from '../db';
import * as m0001 from './0001-core';

export interface Migration {
  name: string;
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

/** Ordered list of migrations. Append only; never edit a migration that has shipped. */
export const MIGRATIONS: Migration[] = [{ name: '0001-core', up: m0001.up }];
