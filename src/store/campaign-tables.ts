import type { Generated } from 'kysely';
import type { Iso, Json } from './column-types';

/** Campaigns (migration 0009; campaigns/). */
export interface CampaignsTable {
  id: Generated<number>;
  public_id: string;
  org_id: number;
  name: string;
  agent_id: number | null;
  from_number: string;
  timezone: string;
  daily_window_start: string;
  daily_window_end: string;
  max_attempts: number;
  retry_delay_seconds: number;
  /** draft | running | paused | completed | cancelled */
  status: string;
  /** Why a running campaign paused itself (`insufficient_balance`), null when paused by the user. */
  pause_reason: string | null;
  /** The dispatcher chain's current token (uuid); only the job carrying it continues the chain. */
  dispatch_slot: string | null;
  /** When the chain's current job is due: a chain long overdue lost its job (a killed worker) and is restarted. */
  dispatch_due_at: Iso | null;
  consent_at: Iso | null;
  started_at: Iso | null;
  finished_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
}

export interface CampaignContactsTable {
  id: Generated<number>;
  campaign_id: number;
  org_id: number;
  phone_number: string;
  /** Every other column of the upload (JSON object of strings): the call's variables. */
  variables: Json;
  /** queued | calling | completed | voicemail | no_answer | busy | failed | cancelled */
  status: string;
  attempts: number;
  next_attempt_at: Iso | null;
  last_call_id: number | null;
  last_outcome: string | null;
  created_at: Iso;
  updated_at: Iso;
}

/** The org's one-time outbound-calling attestation, recorded by the operator (migration 0009). */
export interface OutboundAttestationsTable {
  org_id: number;
  attested_by: string;
  attestation_text: string;
  attested_at: Iso;
}
