/** Wire shapes of the API as the console uses them (see the server's src/api/wire/). */

export interface ConsoleSession {
  kind: 'org' | 'operator';
  org: { id: number; name: string } | null;
  api_key: { id: string; name: string; key_prefix: string } | null;
  expires_at: string;
  features: { campaigns: boolean; realtime: boolean; operator: boolean };
}

export interface Page<T> {
  results: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Call {
  call_id: number;
  agent_id: number | null;
  direction: string;
  from_number: string;
  to_number: string;
  start_time: string | null;
  end_time: string | null;
  duration_seconds: number | null;
  status: 'in_progress' | 'completed' | 'failed' | string;
  end_reason: string | null;
  transfer_number: string | null;
  recording_url: string | null;
  is_test_call: boolean;
  product: string | null;
  voice: string | null;
  billable_minutes: number | null;
  billing_total_cents: number | null;
  billed_at: string | null;
  grade_score: number | null;
  grade_status: string | null;
  grade_updated_at: string | null;
  issue_count: number;
  critical_issue_count: number;
  summary: string | null;
  created_at: string;
  /** Post-call data extraction (the agent's post_call_analysis.extraction_schema). */
  extracted_data?: Record<string, unknown> | null;
  /** Outbound answering-machine detection: human | machine | unknown; null when it did not run. */
  answered_by?: string | null;
  answered_by_decision_ms?: number | null;
  /** Answer → the agent was let speak on a provisional guess of a person, ms; null when no guess did. */
  answered_by_guess_ms?: number | null;
  /** The campaign's public_id when a campaign placed the call. */
  campaign_id?: string | null;
}

/** One event of GET /v1/calls/stream. */
export interface CallChangeEvent {
  call: Call;
  phase: string | null;
  updated_at: string;
  transcript_chars: number;
}

export interface TranscriptTurn {
  role: 'user' | 'assistant' | 'tool_call' | 'tool_response' | string;
  content_type?: string;
  content: unknown;
  start_ms?: number;
  end_ms?: number;
}

export type HistoryEntry =
  | { kind: 'event'; at: string; type: string; data: Record<string, unknown> }
  | ({ kind: 'turn'; at: string | null } & TranscriptTurn);

export interface TurnLatency {
  turn: number;
  endpointing_ms: number | null;
  stt_ms: number | null;
  llm_first_token_ms: number | null;
  tts_first_audio_ms: number | null;
  first_audio_ms: number | null;
  total_ms: number | null;
}

export interface CallMetrics {
  call_id: number;
  answer_to_first_audio_ms: number | null;
  caller_frames: number | null;
  agent_frames: number | null;
  turns: TurnLatency[];
}

export interface LedgerEntry {
  id: number;
  amount_cents: number;
  balance_after_cents: number;
  kind: string;
  description: string;
  call_id: number | null;
  created_at: string;
}

export interface WebhookAttempt {
  id: number;
  delivery_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  outcome: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  created_at: string;
}

export interface WebhookDelivery {
  id: string;
  event_id: string;
  event_type: string;
  call_id: number | null;
  target: string;
  endpoint_id: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
  history: WebhookAttempt[];
}

export interface InlineTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
  endpoint: { url: string; method: string; headers: Record<string, string> };
}

export interface AgentSettings {
  name: string;
  prompt: string;
  voice: string;
  product: string;
  thinking_level?: string | null;
  background_track: string | null;
  acknowledgement_prompt_mode: 'auto' | 'manual';
  acknowledgement_prompt: string;
  inbound_speak_order: 'agent_first' | 'caller_first';
  outbound_speak_order: 'agent_first' | 'caller_first';
  max_hold_seconds: number | null;
  widget_enabled?: boolean;
  primary_language: string;
  additional_languages: string[];
  tools: InlineTool[];
  integration_ids?: string[];
  /** Outbound calls answered by a machine. */
  voicemail_action: VoicemailAction;
  /** Spoken after the beep with `leave_message` ({{variables}} filled). */
  voicemail_message: string;
  /** How the caller interrupts the agent; null = the platform defaults (BARGE_IN_*). */
  barge_in: BargeIn | null;
  /** Summary, grading and extraction after the call; null = none. */
  post_call_analysis: PostCallAnalysis | null;
}

export type VoicemailAction = 'continue' | 'hang_up' | 'leave_message';

/** Each absent key = the platform default. */
export interface BargeIn {
  min_speech_ms?: number;
  min_words?: number;
  filter_backchannels?: boolean;
}

export interface PostCallAnalysis {
  summary: boolean;
  grading: boolean;
  /** JSON Schema of an object, or null for no extraction. */
  extraction_schema: Record<string, unknown> | null;
  outcome_labels: string[];
}

export interface Agent extends AgentSettings {
  id: number;
  /** The deployed revision: what calls placed or answered now use. */
  version: number;
  deployed_at: string;
  deploy_mode: 'auto' | 'manual';
  /** Pending changes (the full settings), or null. */
  draft: (AgentSettings & { updated_at: string }) | null;
  created_at: string;
  updated_at: string;
}

export interface AgentVersion {
  version: number;
  created_at: string;
  snapshot: AgentSettings;
}

export interface Voice {
  id: string;
  name: string;
  language: string;
  gender: string;
  engine: string;
}

export interface PhoneNumber {
  id: number;
  number: string;
  source: 'demo' | 'voip' | string;
  status: string;
  label: string | null;
  inbound_agent_id: number | null;
  outbound_agent_id: number | null;
  voip_connection_id: number | null;
  voip_verification_status: string | null;
  voip_verification_error: string | null;
  voip_last_verified_at: string | null;
  outbound_eligible: boolean;
  created_at: string;
  updated_at: string;
}

export interface VoipConnection {
  id: number;
  name: string;
  provider: string;
  setup_method: string;
  status: string;
  inferred_name: boolean;
  sip_config: { host?: string; port?: number; transport?: string } & Record<string, unknown>;
  last_tested_at: string | null;
  numbers_imported: number;
  created_at: string;
  updated_at: string;
}

export interface VoipTestResult {
  status: 'pass' | 'fail';
  verification_evidence_id: string;
  checks: { credentials_valid: boolean; inbound_reachable: boolean; outbound_authorized: boolean };
  suggested_connection_name: string;
  detail: string;
}

export interface WebhookEndpoint {
  id: string;
  label: string;
  url: string;
  events: string[];
  status: 'active' | 'disabled' | 'failing';
  secret_hint: string;
  created_at: string;
  updated_at: string;
}

export interface Billing {
  balance_cents: number;
  balance_usd: string;
  currency: string;
  [k: string]: unknown;
}

export interface ApiKey {
  id: string;
  name: string;
  key_prefix: string;
  is_active: boolean;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AdminOrg {
  id: number;
  name: string;
  trial: boolean;
  balance_cents: number;
  created_at: string;
}
