import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { int, literalsOf, oneOf, optionalText, text } from './env-fields';
import { STT_STREAMING_ENCODINGS, STT_STREAMING_PROVIDERS, TTS_ENGINES, VOICE_ENV } from './voice-env';

export { STT_STREAMING_PROVIDERS } from './voice-env';

/**
 * The single source of the configuration: every environment variable (name, type, range, default,
 * message) in `EnvSchema`, and the parsed, frozen `Config` (its type is `Static<typeof ConfigSchema>`).
 * load.ts turns one into the other; README "Configuration" and the self-hosting contract list the
 * same variables.
 */

const PRIVATE_TARGET_POLICIES = ['none', 'loopback', 'all'] as const;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
const AGENT_DEPLOY_MODES = ['auto', 'manual'] as const;
const MEDIA_WORKER_PRIORITIES = ['realtime', 'high', 'normal'] as const;
export const PRODUCT_TIERS = ['spark', 'bolt', 'storm'] as const;
/** The products that may have their own model (`LLM_MODEL_<PRODUCT>`, dashes as underscores). */
export const LLM_MODEL_PRODUCTS = ['spark', 'bolt', 'storm-base', 'storm-extra'] as const;

/** Prices per started minute in integer cents (RATE_CENTS_PER_MINUTE overrides them per tier). */
export const DEFAULT_RATE_CENTS_PER_MINUTE = { spark: 2, bolt: 5, storm: 9 } as const;

/**
 * The environment. A `default` applies when a variable is unset or blank; variables without one are
 * optional, or have a default derived from other settings (the description says which). Values are
 * trimmed; integers are parsed with Number().
 */
export const EnvSchema = Type.Object({
  PORT: int(0, 65535, { default: 8080, description: 'HTTP port of the API' }),
  HOST: text({ default: '0.0.0.0', description: 'HTTP bind address' }),
  DATABASE_URL: text({
    default: 'sqlite:./data/thunderphone.db',
    pattern: '^(sqlite:|postgres(ql)?://)',
    errorMessage: 'must start with sqlite: or postgres://',
    description: '`sqlite:<path>` or `postgres://...`',
  }),
  THUNDERPHONE_DATA_DIR: optionalText({
    description: 'data folder; default: the folder of the SQLite file, else ./data',
  }),
  THUNDERPHONE_ADMIN_TOKEN: optionalText({
    description: 'bearer token of the operator admin API; unset = admin API off',
  }),
  THUNDERPHONE_SECRET_KEY: optionalText({
    description: '32 bytes as 64 hex characters or base64; default: generated into <data dir>/secret.key',
  }),
  SIP_PORT: int(0, 65535, { default: 5060, description: 'UDP and TCP port of the SIP user agent' }),
  SIP_BIND: text({ default: '0.0.0.0', description: 'SIP bind address' }),
  SIP_PUBLIC_ADDRESS: optionalText({
    description: 'address in Via/Contact/SDP; default: the first non-loopback IPv4 address',
  }),
  SIP_TCP_IDLE_TIMEOUT_MS: int(1000, 86_400_000, {
    default: 120_000,
    description: 'a SIP TCP connection without traffic for this long is closed',
  }),
  SIP_TCP_HEADER_TIMEOUT_MS: int(100, 600_000, {
    default: 10_000,
    description: 'a SIP message begun on TCP (or the first one of a new connection) must be complete within this',
  }),
  SIP_TCP_MAX_BUFFER_BYTES: int(4096, 16_777_216, {
    default: 65_536,
    description: 'bytes one SIP TCP connection may buffer for an incomplete message; more closes it',
  }),
  SIP_MAX_TRANSACTION_BYTES_PER_SOURCE: int(16_384, 1_073_741_824, {
    default: 1_048_576,
    description: 'SIP transaction state one source address may hold; beyond, its new requests are dropped',
  }),
  SIP_DEMO_ALLOWED_SOURCES: text({
    default: '127.0.0.0/8,::1',
    description:
      'comma-separated IPv4/IPv6 addresses or CIDRs that may send INVITEs to demo numbers (your SIP provider or PBX); default loopback only',
  }),
  SIP_SOURCE_RATE_PER_SECOND: int(0, 100_000, {
    default: 20,
    description:
      'new out-of-dialog SIP requests (INVITE, OPTIONS, ...) accepted per second from one source address; beyond it they are dropped; 0 = no limit',
  }),
  SIP_SOURCE_BURST: int(1, 1_000_000, {
    default: 100,
    description: 'how many such requests one source may send at once before SIP_SOURCE_RATE_PER_SECOND applies',
  }),
  RTP_PORT_MIN: int(1024, 65534, { default: 20000, description: 'lowest RTP port' }),
  RTP_PORT_MAX: int(1025, 65535, { default: 30000, description: 'highest RTP port' }),
  MEDIA_WORKERS: text({
    default: 'auto',
    pattern: '^(auto|[0-9]{1,2})$',
    errorMessage: 'must be auto or a number of worker threads (0 = RTP on the main thread)',
    description: 'media worker threads for RTP (auto = one per core; 0 = on the main event loop)',
  }),
  MEDIA_WORKER_PRIORITY: oneOf(MEDIA_WORKER_PRIORITIES, {
    default: 'high',
    description: 'scheduling of media worker threads: high (nice -10), realtime (SCHED_FIFO 10), normal',
  }),
  DEMO_NUMBERS: text({ default: '', description: 'comma-separated E.164 pool of inbound-only demo numbers' }),
  ...VOICE_ENV,
  RATE_CENTS_PER_MINUTE: text({
    default: Object.entries(DEFAULT_RATE_CENTS_PER_MINUTE)
      .map(([tier, cents]) => `${tier}=${cents}`)
      .join(','),
    description: 'per-product prices in whole cents; products not listed keep these defaults',
  }),
  PUBLIC_BASE_URL: optionalText({ description: 'base of links handed out; default http://localhost:$PORT' }),
  TLS_CERT_FILE: optionalText({
    description:
      'PEM certificate: the server speaks HTTPS/WSS itself (with TLS_KEY_FILE); else put a TLS proxy in front',
  }),
  TLS_KEY_FILE: optionalText({ description: 'PEM private key of TLS_CERT_FILE' }),
  ALLOW_PRIVATE_TARGETS: oneOf(PRIVATE_TARGET_POLICIES, {
    default: 'loopback',
    description: 'where webhooks and tool calls may go besides public addresses',
  }),
  AGENT_DEPLOY_MODE: oneOf(AGENT_DEPLOY_MODES, {
    default: 'auto',
    description:
      'deploy_mode of new agents: auto = PATCH/PUT go live at once until a client uses deploy, discard-draft or ?draft=true; manual = PATCH/PUT write a draft (the hosted API)',
  }),
  CORS_ALLOWED_ORIGINS: text({
    default: '',
    description:
      'comma-separated browser origins (https://app.example.com) that may call the API directly; * = any; empty = same-origin only',
  }),
  LOG_LEVEL: oneOf(LOG_LEVELS, { default: 'info', description: 'pino log level' }),
  MAX_CONCURRENT_CALLS_PER_ORG: int(1, 10_000, { default: 10, description: 'simultaneous calls per org' }),
  TRUNK_CALLS_PER_SECOND: int(1, 10_000, { default: 5, description: 'new outbound calls per second per trunk' }),
  RING_TIMEOUT_MS: int(1000, 600_000, { default: 45_000, description: 'unanswered outbound calls end after this' }),
  MAX_CALL_DURATION_MS: int(1000, 24 * 3_600_000, { default: 30 * 60_000, description: "a call's length cap" }),
  MEDIA_TIMEOUT_MS: int(1000, 3_600_000, { default: 30_000, description: 'no RTP for this long ends the call' }),
  OUTBOUND_ATTESTATION_REQUIRED: oneOf(['false', 'true'] as const, {
    default: 'false',
    description:
      "true = POST /v1/call also needs the org's outbound attestation (campaign start always does): 403 outbound_attestation_missing",
  }),
  CAMPAIGN_DISPATCH_INTERVAL_MS: int(50, 600_000, {
    default: 5000,
    description: 'how often a running campaign looks for finished calls and free call slots',
  }),
  CAMPAIGN_RETRY_DELAY_SECONDS: int(0, 30 * 86_400, {
    default: 1800,
    description:
      "default retry_delay_seconds of new campaigns (wait before a no_answer/busy/voicemail contact's next attempt)",
  }),
  VOICEMAIL_HOLD_GREETING_MS: int(0, 10_000, {
    default: 4_000,
    description:
      "outbound calls with voicemail_action hang_up/leave_message: the agent's first words wait at most this long for the human/machine decision (a person is decided about 0.5 s after their words; only a callee still talking or silent is undecided this long)",
  }),
  RECORDINGS_DIR: optionalText({ description: 'where recordings are written; default <data dir>/recordings' }),
  DRAIN_TIMEOUT_MS: int(0, 24 * 3_600_000, {
    default: 300_000,
    description: 'on SIGTERM, how long live calls may go on before they are ended (end_reason server_shutdown)',
  }),
  METRICS_TOKEN: optionalText({ description: 'bearer token of GET /metrics (Prometheus); unset = no /metrics' }),
  WEBHOOK_RETENTION_DAYS: int(0, 36_500, {
    default: 30,
    description: 'delivered or given-up webhook events and their attempts are deleted after this many days; 0 = kept',
  }),
  JOB_RETENTION_DAYS: int(0, 36_500, {
    default: 7,
    description: 'finished background jobs are deleted after this many days; 0 = kept',
  }),
  RECORDING_RETENTION_DAYS: int(0, 36_500, {
    default: 0,
    description: "call recordings are deleted this many days after the call's end; 0 = kept",
  }),
});
export type EnvName = keyof typeof EnvSchema.properties;

/** Recording links (GET /v1/calls/{id}/audio, webhooks) are valid this long. Not configurable. */
export const RECORDING_URL_TTL_MS = 60 * 60_000;

const Endpoint = Type.Object({ baseUrl: Type.String(), apiKey: Type.Optional(Type.String()), model: Type.String() });

/** The parsed, frozen configuration. Built once by loadConfig and injected everywhere. */
export const ConfigSchema = Type.Object({
  http: Type.Object({
    port: Type.Integer(),
    host: Type.String(),
    publicBaseUrl: Type.String(),
    /** PEM files the server terminates TLS with (null: plain HTTP). */
    tls: Type.Optional(Type.Union([Type.Null(), Type.Object({ certFile: Type.String(), keyFile: Type.String() })])),
  }),
  databaseUrl: Type.String(),
  dataDir: Type.String(),
  adminToken: Type.Optional(Type.String()),
  /** 32-byte key for AES-256-GCM encryption of secrets at rest. */
  secretKey: Type.Unsafe<Buffer>(Type.Uint8Array({ minByteLength: 32, maxByteLength: 32 })),
  sip: Type.Object({
    port: Type.Integer(),
    bind: Type.String(),
    publicAddress: Type.String(),
    /** telephony/sip/sip-limits.ts SipLimits */
    limits: Type.Object({
      tcpIdleTimeoutMs: Type.Integer(),
      tcpHeaderTimeoutMs: Type.Integer(),
      tcpMaxBufferBytes: Type.Integer(),
      maxTransactionBytesPerSource: Type.Integer(),
    }),
    /** SIP_DEMO_ALLOWED_SOURCES: CIDRs allowed to call demo numbers. */
    demoAllowedSources: Type.Array(Type.String()),
    /** Token bucket per source address for new out-of-dialog requests (0 = off). */
    sourceRatePerSecond: Type.Integer(),
    sourceBurst: Type.Integer(),
  }),
  /** mediaWorkers: RTP worker threads (0 = on the main event loop). */
  rtp: Type.Object({
    portMin: Type.Integer(),
    portMax: Type.Integer(),
    mediaWorkers: Type.Integer(),
    mediaWorkerPriority: literalsOf(MEDIA_WORKER_PRIORITIES),
  }),
  demoNumbers: Type.Array(Type.String()),
  llm: Type.Optional(
    Type.Composite([Endpoint, Type.Object({ modelByProduct: Type.Record(Type.String(), Type.String()) })]),
  ),
  stt: Type.Optional(Endpoint),
  sttStreaming: Type.Optional(
    Type.Object({
      provider: literalsOf(STT_STREAMING_PROVIDERS.filter((p) => p !== 'none') as ['deepgram', 'openai-realtime']),
      url: Type.String(),
      apiKey: Type.Optional(Type.String()),
      model: Type.String(),
      encoding: literalsOf(STT_STREAMING_ENCODINGS),
      endpointingMs: Type.Integer(),
      utteranceEndMs: Type.Integer(),
    }),
  ),
  /** Turn-taking defaults of every conversation (voice/turn/end-of-turn.ts). */
  turns: Type.Object({
    pauseMs: Type.Integer(),
    minSilenceMs: Type.Integer(),
    maxSilenceMs: Type.Integer(),
    prepareReplies: Type.Boolean(),
    /** The prepared reply's first clause is synthesized during the wait too. */
    prepareAudio: Type.Boolean(),
    /** Barge-in while the agent speaks (voice/turn/barge-in-policy.ts). */
    bargeInMinSpeechMs: Type.Integer(),
    bargeInMinWords: Type.Integer(),
    bargeInFilterBackchannels: Type.Boolean(),
  }),
  tts: Type.Object({
    /** As configured; the engine really used is VoiceCatalog.detect(config).engine. */
    engine: literalsOf(TTS_ENGINES),
    openai: Type.Optional(Endpoint),
    /** TTS_VOICE: the default voice id, when configured. */
    voice: Type.Optional(Type.String()),
    primaryLanguage: Type.String(),
  }),
  rateCentsPerMinute: Type.Object({ spark: Type.Integer(), bolt: Type.Integer(), storm: Type.Integer() }),
  allowPrivateTargets: literalsOf(PRIVATE_TARGET_POLICIES),
  /** deploy_mode of agents created from now on (agents/agent-revisions.ts). */
  agents: Type.Object({ defaultDeployMode: literalsOf(AGENT_DEPLOY_MODES) }),
  /** CORS for browser clients: `any` = every origin (`*`), else exactly `origins`; none = same-origin only. */
  cors: Type.Object({ any: Type.Boolean(), origins: Type.Array(Type.String()) }),
  logLevel: literalsOf(LOG_LEVELS),
  calls: Type.Object({
    maxConcurrentPerOrg: Type.Integer(),
    trunkCallsPerSecond: Type.Integer(),
    ringTimeoutMs: Type.Integer(),
    maxCallDurationMs: Type.Integer(),
    mediaTimeoutMs: Type.Integer(),
    /** OUTBOUND_ATTESTATION_REQUIRED: POST /v1/call needs the org's outbound attestation too. */
    outboundAttestationRequired: Type.Boolean(),
    voicemailHoldGreetingMs: Type.Integer(),
  }),
  campaigns: Type.Object({ dispatchIntervalMs: Type.Integer(), retryDelaySeconds: Type.Integer() }),
  recordings: Type.Object({ dir: Type.String(), urlTtlMs: Type.Integer() }),
  ops: Type.Object({
    /** SIGTERM: live calls may run this long before they end with `server_shutdown`. */
    drainTimeoutMs: Type.Integer(),
    /** Bearer token of GET /metrics; unset: no /metrics route. */
    metricsToken: Type.Optional(Type.String()),
    /** Ages after which the retention job deletes data; 0 = kept forever. */
    retention: Type.Object({ webhookDays: Type.Integer(), jobDays: Type.Integer(), recordingDays: Type.Integer() }),
  }),
});

export type Config = Static<typeof ConfigSchema>;
/** TTS_ENGINE as configured (`auto` included). */
export type TtsEngineSetting = (typeof TTS_ENGINES)[number];
/** An engine that speaks: what a voice belongs to. */
export type TtsEngineName = Exclude<TtsEngineSetting, 'auto'>;
export type ProductTier = (typeof PRODUCT_TIERS)[number];

/** The message for a value of `name` that does not match its schema. */
export function problemOf(name: EnvName, raw: string): string {
  const schema: TSchema & { errorMessage?: string } = EnvSchema.properties[name];
  if (schema.errorMessage !== undefined) return `${name} ${schema.errorMessage}`;
  if (schema.type === 'integer')
    return `${name} must be an integer between ${schema.minimum} and ${schema.maximum} (got "${raw}")`;
  const literals = (schema.anyOf as { const: string }[] | undefined)?.map((s) => s.const);
  if (literals !== undefined) return `${name} must be one of ${literals.join(', ')} (got "${raw}")`;
  return `${name} is invalid (got "${raw}")`;
}
