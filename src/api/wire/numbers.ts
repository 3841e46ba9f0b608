import { Type } from '@sinclair/typebox';
import type { Row } from '../../store/tables';
import { isOutboundEligible, type PhoneNumberLimits } from '../../numbers/phone-number-service';
import { redactSipConfig } from '../../numbers/voip-input';
import type { VoipConnectionView } from '../../numbers/voip-connection-service';
import { Nullable, Timestamp } from './common';

/** Phone number object (thunderphone-api.md §3.9). */
export const PhoneNumberWire = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  source: Type.String({ description: 'demo | voip' }),
  status: Type.String({ description: 'provisioning | active | failed | released' }),
  label: Nullable(Type.String()),
  inbound_agent_id: Nullable(Type.Integer()),
  outbound_agent_id: Nullable(Type.Integer()),
  voip_connection_id: Nullable(Type.Integer()),
  voip_verification_status: Nullable(
    Type.String({ description: 'unverified | verified | failed (null for demo numbers)' }),
  ),
  voip_verification_error: Nullable(Type.String({ description: 'why the last verify-voip failed' })),
  voip_last_verified_at: Nullable(Timestamp),
  outbound_eligible: Type.Boolean({ description: 'source voip + active + verified' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const phoneNumberToWire = (n: Row<'phone_numbers'>) => ({
  id: Number(n.id),
  number: n.number,
  source: n.source,
  status: n.status,
  label: n.label,
  inbound_agent_id: n.inbound_agent_id === null ? null : Number(n.inbound_agent_id),
  outbound_agent_id: n.outbound_agent_id === null ? null : Number(n.outbound_agent_id),
  voip_connection_id: n.voip_connection_id === null ? null : Number(n.voip_connection_id),
  voip_verification_status: n.voip_verification_status,
  voip_verification_error: n.voip_verification_error,
  voip_last_verified_at: n.voip_last_verified_at,
  outbound_eligible: isOutboundEligible(n),
  created_at: n.created_at,
  updated_at: n.updated_at,
});

/** GET /v1/phone-numbers/limits. */
export const PhoneNumberLimitsWire = Type.Object({
  max_numbers: Nullable(Type.Integer({ description: 'numbers one org may hold; null = no cap on this server' })),
  used: Type.Integer({ description: 'numbers the org holds now (released ones excluded)' }),
  remaining: Nullable(Type.Integer({ description: 'max_numbers - used; null = no cap' })),
  by_source: Type.Object({ demo: Type.Integer(), voip: Type.Integer() }),
  demo_pool: Type.Object(
    { size: Type.Integer(), available: Type.Integer() },
    { description: 'DEMO_NUMBERS: its size, and how many numbers no org holds (POST /v1/phone-numbers can hand out)' },
  ),
});

export const phoneNumberLimitsToWire = (l: PhoneNumberLimits) => ({
  max_numbers: l.maxNumbers,
  used: l.used,
  remaining: l.maxNumbers === null ? null : Math.max(0, l.maxNumbers - l.used),
  by_source: l.bySource,
  demo_pool: l.demoPool,
});

export const ProvisionNumberBody = Type.Object(
  {
    area_code: Type.Optional(Type.String({ description: '3-digit US area code filter on the DEMO_NUMBERS pool' })),
    city: Type.Optional(Type.String({ description: 'accepted, ignored (the pool has no geography)' })),
    state: Type.Optional(Type.String({ description: 'accepted, ignored (the pool has no geography)' })),
  },
  { additionalProperties: false },
);

export const UpdateNumberBody = Type.Object(
  {
    inbound_agent_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    outbound_agent_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    label: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  },
  { additionalProperties: false },
);

/** VoIP connection object (§3.10); `credentials` is write-only and never appears. */
export const VoipConnectionWire = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  provider: Type.String(),
  setup_method: Type.String(),
  status: Type.String({ description: 'pending | testing | connected | error' }),
  inferred_name: Type.Boolean(),
  sip_config: Type.Record(Type.String(), Type.Unknown(), {
    description: 'redacted: host, port, transport (and other non-secret keys)',
  }),
  last_tested_at: Nullable(Timestamp),
  numbers_imported: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const voipConnectionToWire = ({ row, numbersImported }: VoipConnectionView) => ({
  id: Number(row.id),
  name: row.name,
  provider: row.provider,
  setup_method: row.setup_method,
  status: row.status,
  inferred_name: row.inferred_name === 1,
  sip_config: redactSipConfig(JSON.parse(row.sip_config) as Record<string, unknown>),
  last_tested_at: row.last_tested_at,
  numbers_imported: numbersImported,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

const Credentials = Type.Record(Type.String(), Type.Unknown(), {
  description: 'manual: {"username", "password"}; write-only',
});
const SipConfig = Type.Record(Type.String(), Type.Unknown(), {
  description: 'manual: {"host", "port"?: 5060, "transport"?: "udp"|"tcp"}',
});

export const VoipTestBody = Type.Object(
  { provider: Type.String(), credentials: Credentials, sip_config: Type.Optional(SipConfig) },
  { additionalProperties: true },
);
export const VoipCreateBody = Type.Object(
  {
    name: Type.Optional(Type.String()),
    provider: Type.String(),
    setup_method: Type.Optional(Type.String()),
    credentials: Credentials,
    sip_config: Type.Optional(SipConfig),
    verification_evidence_id: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export const VoipUpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String()),
    credentials: Type.Optional(Credentials),
    sip_config: Type.Optional(SipConfig),
    verification_evidence_id: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export const VoipTestWire = Type.Object({
  status: Type.String({ description: 'pass | fail' }),
  verification_evidence_id: Type.String(),
  checks: Type.Object({
    credentials_valid: Type.Boolean(),
    inbound_reachable: Type.Boolean(),
    outbound_authorized: Type.Boolean(),
  }),
  suggested_connection_name: Type.String(),
  detail: Type.String(),
});
export const ImportNumbersBody = Type.Object({ numbers: Type.Array(Type.String()) }, { additionalProperties: true });
