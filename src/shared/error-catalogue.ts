/**
 * Every error code the server can answer with, and its kind (the kind decides the HTTP status,
 * STATUS_OF_KIND). `AppError` takes its code from here, so an unknown code does not compile, and
 * docs/errors.md is tested against this list both ways (src/shared/error-catalogue.test.ts).
 * Grouped by area; add a code here and to docs/errors.md together.
 */
export const ERROR_CATALOGUE = {
  // HTTP plumbing (api/plugins/error-handler.ts): validation, bodies, routes, the unexpected.
  validation_error: 'invalid',
  bad_request: 'invalid',
  fst_err_ctp_empty_json_body: 'invalid',
  fst_err_ctp_invalid_json_body: 'invalid',
  fst_err_ctp_invalid_content_length: 'invalid',
  fst_err_ctp_body_too_large: 'payload_too_large',
  fst_err_ctp_invalid_media_type: 'unsupported_media_type',
  route_not_found: 'not_found',
  internal_error: 'internal',
  // Node's HTTP parser (api/plugins/error-handler.ts clientErrorHandler): the connection is closed after.
  request_header_too_large: 'header_too_large',
  request_timeout: 'request_timeout',

  // The store (store/database-errors.ts): PostgreSQL restarting or unreachable.
  database_unavailable: 'unavailable',

  // Authentication (api/plugins/auth.ts).
  not_authenticated: 'unauthenticated',
  invalid_api_key: 'unauthenticated',
  invalid_admin_token: 'unauthenticated',
  invalid_metrics_token: 'unauthenticated',
  // The web console's session cookie (api/plugins/console-session.ts).
  session_expired: 'unauthenticated',
  session_key_revoked: 'unauthenticated',
  csrf_header_missing: 'forbidden',

  // Orgs, API keys, billing.
  org_not_found: 'not_found',
  api_key_not_found: 'not_found',
  amount_not_integer: 'invalid',
  payment_method_required: 'unprocessable',
  payment_provider_not_configured: 'unprocessable',

  // Agents.
  agent_not_found: 'not_found',
  voice_not_found: 'not_found',
  agent_changed: 'conflict',

  // Phone numbers and VoIP connections.
  phone_number_not_found: 'not_found',
  demo_pool_exhausted: 'conflict',
  not_a_voip_number: 'invalid',
  voip_connection_not_found: 'not_found',
  number_already_imported: 'conflict',
  number_unavailable: 'conflict',
  provider_cannot_list_numbers: 'invalid',

  // Outbound calls (POST /v1/call) and calls.
  missing_numbers: 'invalid',
  agent_and_config: 'invalid',
  outbound_agent_missing: 'invalid',
  from_number_not_registered: 'not_found',
  outbound_demo_number: 'forbidden',
  outbound_unverified_number: 'forbidden',
  outbound_trial_org: 'forbidden',
  insufficient_balance: 'payment_required',
  idempotency_key_reused: 'conflict',
  call_not_found: 'not_found',
  recording_not_found: 'not_found',
  invalid_signature: 'forbidden',
  grade_not_found: 'not_found',
  call_not_ended: 'conflict',

  // Campaigns and the outbound gate (campaigns/).
  campaign_not_found: 'not_found',
  campaign_state_conflict: 'conflict',
  consent_to_charge_required: 'invalid',
  outbound_attestation_missing: 'forbidden',
  too_many_contacts: 'payload_too_large',
  invalid_contacts_upload: 'invalid',

  // Webhooks.
  url_not_allowed: 'invalid',
  webhook_endpoint_not_found: 'not_found',

  // Telephony (internal: they end or refuse a call rather than answer an HTTP request).
  rtp_ports_exhausted: 'unavailable',
  rtp_bind_failed: 'unavailable',
  rtp_session_closed: 'unavailable',
  call_not_offered: 'conflict',
  call_not_answered: 'conflict',
  sdp_offer_not_acceptable: 'unprocessable',
  sip_invite_invalid: 'invalid',
  invalid_dtmf: 'invalid',
  dtmf_not_negotiated: 'unprocessable',

  // Realtime WebSocket (GET /v1/realtime, POST /v1/realtime/sessions; src/realtime/).
  websocket_upgrade_required: 'invalid',
  realtime_invalid_parameter: 'invalid',
  realtime_secret_invalid: 'unauthenticated',
  realtime_origin_not_allowed: 'forbidden',
  realtime_invalid_event: 'invalid',
  realtime_unknown_item: 'not_found',
  realtime_concurrency_limit: 'too_many_requests',
  server_draining: 'unavailable',

  // Voice agent and its providers (voice/provider-error.ts, voice/providers-from-config.ts).
  agent_not_configured: 'unavailable',
  provider_timeout: 'upstream',
  provider_status: 'upstream',
  provider_connection: 'upstream',
  provider_bad_response: 'upstream',
  provider_aborted: 'upstream',
  tts_engine_failed: 'upstream',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** What went wrong, by its HTTP status (only api/plugins/error-handler.ts sends it). */
export const STATUS_OF_KIND = {
  invalid: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  request_timeout: 408,
  payload_too_large: 413,
  header_too_large: 431,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  internal: 500,
  upstream: 502,
  unavailable: 503,
} as const;

export type ErrorKind = keyof typeof STATUS_OF_KIND;

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CATALOGUE, code);
