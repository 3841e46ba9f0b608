import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/tables';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';

/**
 * The org's one-time outbound-calling (TCPA) attestation (thunderphone-api.md §3.11): who
 * attested, when, and the text they attested. Only the operator records it (admin API / CLI):
 * an API key cannot attest for its own org. Recording again replaces it.
 */
export const DEFAULT_ATTESTATION_TEXT =
  'We have the prior express consent required by the TCPA and applicable law to call every number we dial through this service, we honour do-not-call requests, and we call only at lawful hours.';

export interface OutboundAttestation {
  attestedBy: string;
  attestationText: string;
  attestedAt: string;
}

export async function getOutboundAttestation(
  db: Kysely<DB> | Transaction<DB>,
  orgId: number,
): Promise<OutboundAttestation | null> {
  const row = await db.selectFrom('outbound_attestations').selectAll().where('org_id', '=', orgId).executeTakeFirst();
  return row
    ? { attestedBy: row.attested_by, attestationText: row.attestation_text, attestedAt: row.attested_at }
    : null;
}

export async function hasOutboundAttestation(db: Kysely<DB> | Transaction<DB>, orgId: number): Promise<boolean> {
  return (await getOutboundAttestation(db, orgId)) !== null;
}

export async function recordOutboundAttestation(
  db: Kysely<DB>,
  clock: Clock,
  orgId: number,
  input: { attestedBy: string; text?: string },
): Promise<OutboundAttestation> {
  const org = await db.selectFrom('orgs').select('id').where('id', '=', orgId).executeTakeFirst();
  if (!org) throw new AppError('org_not_found', 'Organization not found');
  if (input.attestedBy.trim() === '' || input.attestedBy.length > 200)
    throw new AppError('validation_error', 'Invalid request', {
      fields: { attested_by: ['Who attests (a name or e-mail, 1 to 200 characters) is required.'] },
    });
  const row = {
    org_id: orgId,
    attested_by: input.attestedBy,
    attestation_text: input.text ?? DEFAULT_ATTESTATION_TEXT,
    attested_at: clock.nowIso(),
  };
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('outbound_attestations').where('org_id', '=', orgId).execute();
    await trx.insertInto('outbound_attestations').values(row).execute();
  });
  return { attestedBy: row.attested_by, attestationText: row.attestation_text, attestedAt: row.attested_at };
}

export async function revokeOutboundAttestation(db: Kysely<DB>, orgId: number): Promise<boolean> {
  const r = await db.deleteFrom('outbound_attestations').where('org_id', '=', orgId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
