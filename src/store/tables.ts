import type { ColumnType, Generated, Selectable, Updateable } from 'kysely';
import type { Flag, Iso, Json } from './column-types';
import type { CampaignContactsTable, CampaignsTable, OutboundAttestationsTable } from './campaign-tables';
import type {
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
  WebhookEventsTable,
} from './webhook-tables';

/**
 * Table types shared by both dialects. Conventions that keep SQLite and PostgreSQL identical:
 * - booleans are INTEGER 0/1 (`Flag`), timestamps are ISO-8601 UTC TEXT with milliseconds,
 *   JSON is TEXT (`Json`), money is integer cents.
 * - integer ids are autoincrement (SQLite) / bigserial (PostgreSQL); UUIDs are TEXT.
 */
export type { Flag, Iso, Json } from './column-types';
export type {
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
  WebhookEventsTable,
} from './webhook-tables';
export type { CampaignContactsTable, CampaignsTable, OutboundAttestationsTable } from './campaign-tables';

export interface OrgsTable {
  id: Generated<number>;
  name: string;
  trial: Flag;
  balance_cents: number;
  auto_reload_enabled: Flag;
  auto_reload_minimum_cents: number;
  auto_reload_amount_cents: number;
  auto_reload_monthly_limit_cents: number | null;
  has_payment_method: Flag;
  /** null = operator default (MAX_CONCURRENT_CALLS_PER_ORG). */
  max_concurrent_calls: number | null;
  webhook_url: string | null;
  /** Legacy single-URL webhook secret, AES-GCM encrypted (the legacy API shows it in clear). */
  webhook_secret_enc: string | null;
  webhook_created_at: Iso | null;
  webhook_updated_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
}

export interface ApiKeysTable {
  id: string;
  org_id: number;
  name: string;
  key_prefix: string;
  /** SHA-256 hex of the raw key. */
  key_hash: string;
  created_at: Iso;
  last_used_at: Iso | null;
  revoked_at: Iso | null;
}

export interface AgentsTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  prompt: string;
  voice: string;
  product: string;
  background_track: string | null;
  acknowledgement_prompt_mode: string;
  acknowledgement_prompt: string;
  inbound_speak_order: string;
  outbound_speak_order: string;
  max_hold_seconds: number | null;
  widget_enabled: Flag;
  primary_language: string;
  additional_languages: Json;
  tools: Json;
  integration_ids: Json;
  /** The deployed (live) revision: what calls placed or answered now use. */
  version: number;
  created_at: Iso;
  updated_at: Iso;
  deleted_at: Iso | null;
  /** Pending settings (AgentSettings JSON) not yet deployed; null = none. Added by 0008-agent-drafts. */
  draft: ColumnType<Json | null, Json | null | undefined, Json | null>;
  draft_updated_at: ColumnType<Iso | null, Iso | null | undefined, Iso | null>;
  /** `auto`: PATCH/PUT deploy at once; `manual`: they write the draft (agents/agent-revisions.ts). */
  deploy_mode: ColumnType<string, string | undefined, string>;
  /** When `version` went live. */
  deployed_at: ColumnType<Iso | null, Iso | null | undefined, Iso | null>;
  /** Outbound voicemail handling: hang_up | leave_message | continue. Added by 0010-call-analysis. */
  voicemail_action: ColumnType<string, string | undefined, string>;
  voicemail_message: ColumnType<string, string | undefined, string>;
  /** Post-call analysis settings (JSON, analysis/analysis-settings.ts); null = off. */
  post_call_analysis: ColumnType<Json | null, Json | null | undefined, Json | null>;
  /** Barge-in overrides (JSON, agents/barge-in-settings.ts); null = platform defaults. Added by 0013-barge-in. */
  barge_in: ColumnType<Json | null, Json | null | undefined, Json | null>;
}

export interface AgentVersionsTable {
  id: Generated<number>;
  agent_id: number;
  org_id: number;
  version: number;
  snapshot: Json;
  created_at: Iso;
}

export interface VoipConnectionsTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  provider: string;
  setup_method: string;
  status: string;
  inferred_name: Flag;
  /** Full SIP config (host, port, transport...) as JSON; shown redacted. */
  sip_config: Json;
  /** AES-256-GCM sealed credentials JSON. Never returned. */
  credentials_enc: string;
  last_tested_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
  deleted_at: Iso | null;
}

export interface VoipVerificationsTable {
  id: string;
  org_id: number;
  provider: string;
  status: string;
  checks: Json;
  /** Hash of provider + credentials + sip_config, so evidence cannot be reused for other credentials. */
  fingerprint: string;
  created_at: Iso;
  expires_at: Iso;
}

export interface PhoneNumbersTable {
  id: Generated<number>;
  org_id: number;
  number: string;
  source: string;
  status: string;
  label: string | null;
  inbound_agent_id: number | null;
  outbound_agent_id: number | null;
  voip_connection_id: number | null;
  voip_verification_status: string | null;
  voip_verification_error: string | null;
  voip_last_verified_at: Iso | null;
  created_at: Iso;
  updated_at: Iso;
  released_at: Iso | null;
}

export interface CallsTable {
  id: Generated<number>;
  org_id: number;
  agent_id: number | null;
  phone_number_id: number | null;
  direction: string;
  from_number: string;
  to_number: string;
  status: string;
  end_reason: string | null;
  transfer_number: string | null;
  /** Resolved agent configuration for this call (prompt with variables filled, voice, product, tools...). */
  config: Json;
  variables: Json;
  max_hold_seconds: number | null;
  product: string | null;
  voice: string | null;
  start_time: Iso | null;
  answered_at: Iso | null;
  end_time: Iso | null;
  duration_seconds: number | null;
  recording_path: string | null;
  transcript: Json;
  metrics: Json;
  billable_minutes: number | null;
  billing_total_cents: number | null;
  billed_at: Iso | null;
  is_test_call: Flag;
  idempotency_key: string | null;
  idempotency_hash: string | null;
  /** Process instance that currently runs the call; used by start-up recovery. */
  owner_instance: string | null;
  sip_call_id: string | null;
  created_at: Iso;
  updated_at: Iso;
  /** Lifecycle phase (calls/call-state.ts); null means queued. Added by 0003-calls. */
  phase: ColumnType<string | null, string | null | undefined, string | null>;
  /** Last sign of life from the owner process while the call runs. */
  heartbeat_at: ColumnType<Iso | null, Iso | null | undefined, Iso | null>;
  /** When dialing (or answering, inbound) started. */
  dialed_at: ColumnType<Iso | null, Iso | null | undefined, Iso | null>;
  /** The agent revision the call runs with (agents.version when placed / answered). Added by 0008. */
  agent_version: ColumnType<number | null, number | null | undefined, number | null>;
  /** The confirmed SIP dialog (JSON, calls/sip-dialog-column.ts), for a BYE after a crash. Added by 0007. */
  sip_dialog: ColumnType<string | null, string | null | undefined, string | null>;
  /** The campaign (and its contact) this call dials for; null for single calls. Added by 0009. */
  campaign_id: ColumnType<number | null, number | null | undefined, number | null>;
  campaign_contact_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** Latest post-call analysis (analysis/): pending | completed | failed; null = never requested. 0010. */
  grade_status: ColumnType<string | null, string | null | undefined, string | null>;
  /** 0.0–1.0. */
  grade_score: ColumnType<number | null, number | null | undefined, number | null>;
  grade_updated_at: ColumnType<Iso | null, Iso | null | undefined, Iso | null>;
  summary: ColumnType<string | null, string | null | undefined, string | null>;
  /** The whole analysis result or its error (JSON, analysis/grade-record.ts). */
  grade: ColumnType<Json | null, Json | null | undefined, Json | null>;
  /** Structured data extracted after the call, valid against the agent's extraction_schema (JSON). */
  extracted_data: ColumnType<Json | null, Json | null | undefined, Json | null>;
  /** Outbound answering-machine detection: human | machine | unknown (null = not run). */
  answered_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** Answer → decision, ms. */
  answered_by_ms: ColumnType<number | null, number | null | undefined, number | null>;
  /**
   * Answer → the agent was let speak on the detector's first provisional guess of a person, ms
   * (null: no guess released the agent — a decision, the greeting hold or `continue` did).
   */
  answered_by_guess_ms: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface CallEventsTable {
  id: Generated<number>;
  call_id: number;
  org_id: number;
  type: string;
  data: Json;
  created_at: Iso;
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  org_id: number;
  /** Signed: credits positive, debits negative. */
  amount_cents: number;
  balance_after_cents: number;
  kind: string;
  description: string;
  call_id: number | null;
  /** Unique per org when set: makes a charge idempotent (e.g. `call:<id>`). */
  reference: string | null;
  created_at: Iso;
}

/**
 * Money reserved for a call while it runs (billing/balance-holds.ts); not a balance change.
 * `held` → `settled` (charged_cents debited through the ledger) or `released` (charged 0).
 */
export interface BalanceHoldsTable {
  id: Generated<number>;
  org_id: number;
  call_id: number;
  rate_cents_per_minute: number;
  /** Reserved so far: whole minutes × rate (the first at admission, one more before each minute). */
  amount_cents: number;
  status: string;
  charged_cents: number | null;
  created_at: Iso;
  updated_at: Iso;
  closed_at: Iso | null;
}

export interface JobsTable {
  id: Generated<number>;
  queue: string;
  payload: Json;
  /** Jobs with the same singleton key are enqueued once while pending. */
  singleton_key: string | null;
  state: string;
  run_at: Iso;
  attempts: number;
  max_attempts: number;
  locked_until: Iso | null;
  last_error: string | null;
  created_at: Iso;
  updated_at: Iso;
}

/** POST /v1/realtime/sessions client secrets (migration 0012); `session` is JSON {agent_id} | {product, language}. */
export interface RealtimeSecretsTable {
  id: string;
  secret_hash: string;
  org_id: number;
  api_key_id: string;
  session: Json;
  created_at: Iso;
  expires_at: Iso;
  used_at: Iso | null;
}

/** Web console session (migration 0006): the cookie's token is stored only as its SHA-256. */
export interface ConsoleSessionsTable {
  id: string;
  token_hash: string;
  /** `org` (acts as api_key_id, ends when that key is revoked) | `operator` (the admin token). */
  kind: string;
  org_id: number | null;
  api_key_id: string | null;
  /** HMAC of the admin token the operator session was opened with (a changed token ends it). */
  admin_fingerprint: string | null;
  created_at: Iso;
  expires_at: Iso;
}

export interface DB {
  campaigns: CampaignsTable;
  campaign_contacts: CampaignContactsTable;
  outbound_attestations: OutboundAttestationsTable;
  orgs: OrgsTable;
  api_keys: ApiKeysTable;
  agents: AgentsTable;
  agent_versions: AgentVersionsTable;
  voip_connections: VoipConnectionsTable;
  voip_verifications: VoipVerificationsTable;
  phone_numbers: PhoneNumbersTable;
  calls: CallsTable;
  call_events: CallEventsTable;
  ledger_entries: LedgerEntriesTable;
  balance_holds: BalanceHoldsTable;
  jobs: JobsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  console_sessions: ConsoleSessionsTable;
  realtime_secrets: RealtimeSecretsTable;
  trunk_dial_slots: TrunkDialSlotsTable;
}

/** Next free outbound dial slot per VoIP connection (migration 0011): TRUNK_CALLS_PER_SECOND across servers. */
export interface TrunkDialSlotsTable {
  voip_connection_id: number;
  /** Epoch ms from which the next call to this trunk may be sent. */
  next_slot_ms: number;
}

export type Row<T extends keyof DB> = Selectable<DB[T]>;
export type RowUpdate<T extends keyof DB> = Updateable<DB[T]>;
export type { ColumnType };
