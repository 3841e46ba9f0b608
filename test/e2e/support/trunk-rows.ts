import type { Store } from '../../../src/store/db';
import { SecretBox } from '../../../src/shared/secret-box';
import { TRUNK_PASSWORD, TRUNK_USER } from './trunk-scenarios';

/**
 * A connected `manual` VoIP connection to a sipp trunk on loopback (credentials sealed with the
 * server's `secretKey`) and a verified, active number on it, written straight into a server's
 * database: what test → create → import → verify-voip leave behind, for tests of a server process.
 */
export async function insertSippTrunkNumber(
  db: Store['db'],
  o: { orgId: number; secretKey: Buffer; sippPort: number; number: string; transport?: 'udp' | 'tcp' },
): Promise<{ voipId: number }> {
  const now = new Date().toISOString();
  const voip = await db
    .insertInto('voip_connections')
    .values({
      org_id: o.orgId,
      name: 'trunk',
      provider: 'manual',
      setup_method: 'manual',
      status: 'connected',
      inferred_name: 0,
      sip_config: JSON.stringify({ host: '127.0.0.1', port: o.sippPort, transport: o.transport ?? 'udp' }),
      credentials_enc: new SecretBox(o.secretKey).sealJson({ username: TRUNK_USER, password: TRUNK_PASSWORD }),
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('phone_numbers')
    .values({
      org_id: o.orgId,
      number: o.number,
      source: 'voip',
      status: 'active',
      voip_connection_id: voip.id,
      voip_verification_status: 'verified',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { voipId: voip.id };
}
