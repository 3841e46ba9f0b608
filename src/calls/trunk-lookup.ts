import type { Kysely } from 'kysely';
import type { DB } from '../store/tables';
import type { SecretBox } from '../shared/secret-box';

export interface Trunk {
  voipConnectionId: number;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  credentials: { username: string; password: string };
}

export type TrunkLookup = { kind: 'found'; trunk: Trunk } | { kind: 'missing'; reason: string };

/**
 * The SIP trunk an outbound call from `fromNumber` goes through: the number's VoIP connection,
 * its sip_config (host, port, transport) and its decrypted credentials.
 */
export async function findTrunkForNumber(
  db: Kysely<DB>,
  secretBox: SecretBox,
  orgId: number,
  fromNumber: string,
): Promise<TrunkLookup> {
  const row = await db
    .selectFrom('phone_numbers as n')
    .innerJoin('voip_connections as v', 'v.id', 'n.voip_connection_id')
    .select(['v.id as vid', 'v.sip_config', 'v.credentials_enc', 'v.deleted_at'])
    .where('n.org_id', '=', orgId)
    .where('n.number', '=', fromNumber)
    .where('n.released_at', 'is', null)
    .where('v.org_id', '=', orgId)
    .executeTakeFirst();
  if (!row || row.deleted_at !== null) return { kind: 'missing', reason: 'from_number has no VoIP connection' };
  let sip: Record<string, unknown>;
  let creds: Record<string, unknown>;
  try {
    sip = JSON.parse(row.sip_config) as Record<string, unknown>;
    creds = secretBox.openJson<Record<string, unknown>>(row.credentials_enc);
  } catch {
    return { kind: 'missing', reason: 'VoIP connection configuration is unreadable' };
  }
  if (typeof sip.host !== 'string' || sip.host === '')
    return { kind: 'missing', reason: 'VoIP connection has no host' };
  const port = typeof sip.port === 'number' ? sip.port : Number(sip.port ?? 5060);
  return {
    kind: 'found',
    trunk: {
      voipConnectionId: row.vid,
      host: sip.host,
      port: Number.isInteger(port) && port > 0 ? port : 5060,
      transport: sip.transport === 'tcp' ? 'tcp' : 'udp',
      credentials: { username: String(creds.username ?? ''), password: String(creds.password ?? '') },
    },
  };
}

/** `sip:<to>@<host>:<port>` (the leading + of E.164 kept, as trunks expect). */
export function dialTarget(toNumber: string, trunk: Pick<Trunk, 'host' | 'port'>): string {
  return `sip:${toNumber}@${trunk.host}:${trunk.port}`;
}
