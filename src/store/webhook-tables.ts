import type { Generated } from 'kysely';
import type { Iso, Json } from './column-types';

/** Webhook endpoint (§3.15). `events` is a JSON array; `[]` means every event. */
export interface WebhookEndpointsTable {
  id: string;
  org_id: number;
  label: string;
  url: string;
  events: Json;
  /** active | disabled | failing */
  status: string;
  /** AES-256-GCM sealed `whsec_` secret. */
  secret_enc: string;
  secret_hint: string;
  /** During a rotation grace period the previous secret still signs (second header). */
  previous_secret_enc: string | null;
  previous_secret_expires_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
  deleted_at: Iso | null;
}

/** Outbox: one row per event, written in the transaction of the state change. */
export interface WebhookEventsTable {
  /** `evt_...`, sent as X-ThunderPhone-Event-Id (stable across retries). */
  id: string;
  org_id: number;
  type: string;
  data: Json;
  created_at: Iso;
}

/** One row per (event, target); target `endpoint` or `legacy` (the org's single URL). */
export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  org_id: number;
  endpoint_id: string | null;
  target: string;
  /** Name sent in the envelope (legacy targets get `call.complete` for `telephony.complete`). */
  event_type: string;
  /** pending | delivered | failed | cancelled */
  status: string;
  attempts: number;
  next_attempt_at: Iso | null;
  locked_until: Iso | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
}

/** Every HTTP attempt (and every blocking incoming outcome), for the deliveries list. */
export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  event_id: string;
  org_id: number;
  endpoint_id: string | null;
  event_type: string;
  attempt: number;
  /** success | failure | config | fallback:<reason> */
  outcome: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  created_at: Iso;
}
