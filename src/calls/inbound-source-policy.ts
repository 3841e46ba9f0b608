import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../store/tables';
import { CidrList } from '../shared/cidr';

/** Every address a trunk host name stands for (an IP literal is itself). Injected: tests resolve to loopback. */
export type HostResolver = (host: string) => Promise<string[]>;

export const dnsHostResolver: HostResolver = async (host) => {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) !== 0) return [bare];
  return (await lookup(bare, { all: true, verbatim: true })).map((a) => a.address);
};

export type SourceDecision = { allowed: true } | { allowed: false; reason: string };

export interface SourcePolicyDeps {
  db: Kysely<DB>;
  resolveHost: HostResolver;
  /** SIP_DEMO_ALLOWED_SOURCES. */
  demoSources: CidrList;
}

/**
 * Who may call a number (toll-fraud guard, before any call row exists): a demo number only from
 * SIP_DEMO_ALLOWED_SOURCES (default loopback); a VoIP number only from its trunk — an address its
 * connection's `sip_config.host` resolves to now, or one in `sip_config.inbound_allowed_addresses`.
 * Any other number (no live connection) takes no inbound calls. A host that does not resolve
 * counts as no addresses (the allow-list still applies).
 */
export async function checkInboundSource(
  number: Row<'phone_numbers'>,
  sourceAddress: string,
  deps: SourcePolicyDeps,
): Promise<SourceDecision> {
  if (number.source === 'demo')
    return deps.demoSources.has(sourceAddress)
      ? { allowed: true }
      : { allowed: false, reason: 'source not in SIP_DEMO_ALLOWED_SOURCES' };
  if (number.voip_connection_id === null) return { allowed: false, reason: 'number has no VoIP connection' };
  const conn = await deps.db
    .selectFrom('voip_connections')
    .select(['sip_config'])
    .where('id', '=', number.voip_connection_id)
    .where('org_id', '=', number.org_id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!conn) return { allowed: false, reason: 'number has no VoIP connection' };
  const sip = parseJsonObject(conn.sip_config);
  const listed = Array.isArray(sip.inbound_allowed_addresses)
    ? CidrList.of(sip.inbound_allowed_addresses.filter((x): x is string => typeof x === 'string'))
    : CidrList.of([]);
  if (listed.has(sourceAddress)) return { allowed: true };
  const host = typeof sip.host === 'string' ? sip.host : typeof sip.domain === 'string' ? sip.domain : undefined;
  if (host !== undefined) {
    const addresses = await deps.resolveHost(host).catch(() => [] as string[]);
    if (CidrList.of(addresses).has(sourceAddress)) return { allowed: true };
  }
  return { allowed: false, reason: 'source is not the number’s trunk' };
}

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
