import type { Insertable } from 'kysely';
import type { PhoneNumbersTable } from '../store/tables';

/**
 * A phone_numbers row as first inserted: `provisioning`, no label or agents. A demo number has no
 * VoIP connection; an imported one belongs to `voipConnectionId` and starts `unverified`.
 */
export function newNumberRow(
  orgId: number,
  number: string,
  nowIso: string,
  voipConnectionId: number | null,
): Insertable<PhoneNumbersTable> {
  return {
    org_id: orgId,
    number,
    source: voipConnectionId === null ? 'demo' : 'voip',
    status: 'provisioning',
    label: null,
    inbound_agent_id: null,
    outbound_agent_id: null,
    voip_connection_id: voipConnectionId,
    voip_verification_status: voipConnectionId === null ? null : 'unverified',
    voip_verification_error: null,
    voip_last_verified_at: null,
    created_at: nowIso,
    updated_at: nowIso,
    released_at: null,
  };
}
