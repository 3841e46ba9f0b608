import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common';
import type { CampaignRow, CampaignStats, ContactRow } from '../../campaigns/campaign-service';
import type { OutboundAttestation } from '../../campaigns/outbound-attestation';

/** Campaigns on the wire (thunderphone-api.md §3.19). `id` repeats `public_id` (the id used in paths). */
export const CampaignWire = Type.Object({
  id: Type.String(),
  public_id: Type.String(),
  name: Type.String(),
  agent: Nullable(Type.Integer()),
  agent_id: Nullable(Type.Integer()),
  from_number: Type.String(),
  timezone: Type.String(),
  daily_window_start: Type.String(),
  daily_window_end: Type.String(),
  max_attempts: Type.Integer(),
  retry_delay_seconds: Type.Integer(),
  status: Type.String(),
  pause_reason: Nullable(Type.String()),
  total_count: Type.Integer(),
  consent_at: Nullable(Timestamp),
  started_at: Nullable(Timestamp),
  completed_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ContactWire = Type.Object({
  id: Type.Integer(),
  phone_number: Type.String(),
  variables: Type.Record(Type.String(), Type.String()),
  status: Type.String(),
  attempts: Type.Integer(),
  next_attempt_at: Nullable(Timestamp),
  last_call_id: Nullable(Type.Integer()),
  last_outcome: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const CampaignDetailWire = Type.Composite([CampaignWire, Type.Object({ contacts: Type.Array(ContactWire) })]);

export const ContactsResultWire = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  errors: Type.Array(Type.Object({ index: Type.Integer(), error: Type.String() })),
});

export const StatsWire = Type.Object({
  total: Type.Integer(),
  queued: Type.Integer(),
  in_progress: Type.Integer(),
  completed: Type.Integer(),
  failed: Type.Integer(),
  voicemail: Type.Integer(),
  no_answer: Type.Integer(),
  busy: Type.Integer(),
  cancelled: Type.Integer(),
  attempts: Type.Integer(),
  finished: Type.Integer(),
  status: Type.String(),
});

export const AttestationWire = Type.Object({
  confirmed: Type.Boolean(),
  attested_by: Nullable(Type.String()),
  attested_at: Nullable(Timestamp),
  attestation_text: Nullable(Type.String()),
});

export function campaignToWire(c: CampaignRow, totalCount: number) {
  return {
    id: c.public_id,
    public_id: c.public_id,
    name: c.name,
    agent: c.agent_id === null ? null : Number(c.agent_id),
    agent_id: c.agent_id === null ? null : Number(c.agent_id),
    from_number: c.from_number,
    timezone: c.timezone,
    daily_window_start: c.daily_window_start,
    daily_window_end: c.daily_window_end,
    max_attempts: c.max_attempts,
    retry_delay_seconds: c.retry_delay_seconds,
    status: c.status,
    pause_reason: c.pause_reason,
    total_count: totalCount,
    consent_at: c.consent_at,
    started_at: c.started_at,
    completed_at: c.finished_at,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

export function contactToWire(r: ContactRow) {
  return {
    id: Number(r.id),
    phone_number: r.phone_number,
    variables: JSON.parse(r.variables) as Record<string, string>,
    status: r.status === 'calling' ? 'in_progress' : r.status,
    attempts: r.attempts,
    next_attempt_at: r.next_attempt_at,
    last_call_id: r.last_call_id === null ? null : Number(r.last_call_id),
    last_outcome: r.last_outcome,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

export const statsToWire = (s: CampaignStats, status: string) => ({ ...s, status });

export const attestationToWire = (a: OutboundAttestation | null) => ({
  confirmed: a !== null,
  attested_by: a?.attestedBy ?? null,
  attested_at: a?.attestedAt ?? null,
  attestation_text: a?.attestationText ?? null,
});
