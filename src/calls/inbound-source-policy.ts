import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../store/tables';
import { CidrList } from '../shared/cidr';
import type { DigestCredentials } from '../telephony/sip/digest';

/** Every address a trunk host name stands for (an IP literal is itself). Injected: tests resolve to loopback. */
export type HostResolver = (host: string) => Promise<string[]>;

export const dnsHostResolver: HostResolver = async (host) => {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) !== 0) return [bare];
  return (await lookup(bare, { all: true, verbatim: true })).map((a) => a.address);
};

export type SourceDecision =
  /** `digest`: the connection has `sip_config.inbound_auth: "digest"`: the INVITE must authenticate with these. */
  { allowed: true; digest?: DigestCredentials } | { allowed: false; reason: string };

export interface SourcePolicyDeps {
  db: Kysely<DB>;
  resolveHost: HostResolver;
  /** SIP_DEMO_ALLOWED_SOURCES. */
  demoSources: CidrList;
  /** Opens voip_connections.credentials_enc (SecretBox.openJson), for inbound digest authentication. */
  openCredentials: (sealed: string) => Record<string, unknown>;
}

/**
 * Who may call a number (toll-fraud guard, before any call row exists): a demo number only from
 * SIP_DEMO_ALLOWED_SOURCES (default loopback); a VoIP number only from its trunk — an address its
 * connection's `sip_config.host` resolves to now, or one in `sip_config.inbound_allowed_addresses`.
 * Any other number (no live connection) takes no inbound calls. A host that does not resolve
 * counts as no addresses (the allow-list still applies). With `sip_config.inbound_auth: "digest"`
 * the trunk's INVITEs must also pass digest authentication with the connection's own (sealed)
 * credentials: both checks apply (to accept any source that authenticates, list 0.0.0.0/0 and ::/0).
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
    .select(['sip_config', 'credentials_enc'])
    .where('id', '=', number.voip_connection_id)
    .where('org_id', '=', number.org_id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!conn) return { allowed: false, reason: 'number has no VoIP connection' };
  const sip = parseJsonObject(conn.sip_config);
  const listed = Array.isArray(sip.inbound_allowed_addresses)
    ? CidrList.of(sip.inbound_allowed_addresses.filter((x): x is string => typeof x === 'string'))
    : CidrList.of([]);
  let fromTrunk = listed.has(sourceAddress);
  const host = typeof sip.host === 'string' ? sip.host : typeof sip.domain === 'string' ? sip.domain : undefined;
  if (!fromTrunk && host !== undefined) {
    const addresses = await deps.resolveHost(host).catch(() => [] as string[]);
    fromTrunk = CidrList.of(addresses).has(sourceAddress);
  }
  if (!fromTrunk) return { allowed: false, reason: 'source is not the number’s trunk' };
  if (sip.inbound_auth !== 'digest') return { allowed: true };
  try {
    const c = deps.openCredentials(conn.credentials_enc);
    return { allowed: true, digest: { username: String(c.username ?? ''), password: String(c.password ?? '') } };
  } catch {
    return { allowed: false, reason: 'VoIP connection credentials are unreadable' };
  }
}

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
