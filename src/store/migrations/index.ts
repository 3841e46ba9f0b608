import type { Kysely } from 'kysely';
import type { DialectName } from '../db';
import * as m0001 from './0001-core';
import * as m0003 from './0003-calls';
import * as m0002w from './0002-webhooks';
import * as m0004n from './0004-phone-number-holds';
import * as m0005 from './0005-balance-holds';
import * as m0006c from './0006-console-sessions';
import * as m0007s from './0007-sip-dialogs-inbound';
import * as m0008a from './0008-agent-drafts';
import * as m0009c from './0009-campaigns';
import * as m0010v from './0010-call-analysis';
import * as m0011t from './0011-trunk-dial-slots';
import * as m0012r from './0012-realtime-secrets';
import * as m0013b from './0013-barge-in';
import * as m0014g from './0014-answered-by-guess';

export interface Migration {
  name: string;
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

/** Ordered list of migrations. Append only; never edit a migration that has shipped. */
export const MIGRATIONS: Migration[] = [
  { name: '0001-core', up: m0001.up },
  { name: '0003-calls', up: m0003.up },
  { name: '0002-webhooks', up: m0002w.up },
  { name: '0004-phone-number-holds', up: m0004n.up },
  { name: '0005-balance-holds', up: m0005.up },
  { name: '0006-console-sessions', up: m0006c.up },
  { name: '0007-sip-dialogs-inbound', up: m0007s.up },
  { name: '0008-agent-drafts', up: m0008a.up },
  { name: '0009-campaigns', up: m0009c.up },
  { name: '0010-call-analysis', up: m0010v.up },
  { name: '0011-trunk-dial-slots', up: m0011t.up },
  { name: '0012-realtime-secrets', up: m0012r.up },
  { name: '0013-barge-in', up: m0013b.up },
  { name: '0014-answered-by-guess', up: m0014g.up },
];
