import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseCidr } from '../shared/cidr';
import { secureRandomBytes } from '../shared/ids';
import {
  DEFAULT_RATE_CENTS_PER_MINUTE,
  EnvSchema,
  LLM_MODEL_PRODUCTS,
  PRODUCT_TIERS,
  RECORDING_URL_TTL_MS,
  problemOf,
  type Config,
  type EnvName,
  type ProductTier,
} from './schema';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
type EnvValues = Static<typeof EnvSchema>;

const E164 = /^\+[1-9]\d{7,14}$/;

function firstNonLoopbackAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/**
 * Every variable of EnvSchema, trimmed: blank → its default (or unset), integers parsed, each value
 * checked against its schema. A bad value becomes a problem and is replaced by its default (or kept
 * as text), so the checks that follow still run and every problem is reported at once.
 */
function readEnv(env: Env, problems: string[]): EnvValues {
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(EnvSchema.properties) as EnvName[]) {
    const schema: TSchema = EnvSchema.properties[name];
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') {
      values[name] = schema.default;
      continue;
    }
    const value = schema.type === 'integer' ? Number(raw) : raw;
    if (Value.Check(schema, value)) values[name] = value;
    else {
      problems.push(problemOf(name, raw));
      values[name] = schema.default ?? raw;
    }
  }
  return values as EnvValues;
}

/**
 * Parses the environment once, reporting every problem together. This is the only module
 * that reads process.env (main.ts passes it in).
 */
export function loadConfig(env: Env, options: { persistSecretKey?: boolean } = {}): Config {
  const problems: string[] = [];
  const e = readEnv(env, problems);

  const dataDir = resolve(e.THUNDERPHONE_DATA_DIR ?? dataDirOf(e.DATABASE_URL));
  if (e.RTP_PORT_MIN >= e.RTP_PORT_MAX) problems.push('RTP_PORT_MIN must be lower than RTP_PORT_MAX');

  const demoNumbers = e.DEMO_NUMBERS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of demoNumbers) if (!E164.test(n)) problems.push(`DEMO_NUMBERS: "${n}" is not an E.164 number`);

  const demoAllowedSources = e.SIP_DEMO_ALLOWED_SOURCES.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const c of demoAllowedSources)
    if (parseCidr(c) === null)
      problems.push(`SIP_DEMO_ALLOWED_SOURCES: "${c}" is not an IPv4/IPv6 address or CIDR (e.g. 203.0.113.0/24)`);

  const endpoint = (prefix: 'LLM' | 'STT' | 'TTS', model: string | undefined) => {
    const baseUrl = e[`${prefix}_BASE_URL`];
    if (baseUrl === undefined) return undefined;
    if (model === undefined) {
      problems.push(`${prefix}_MODEL is required when ${prefix}_BASE_URL is set`);
      return undefined;
    }
    return { baseUrl: baseUrl.replace(/\/+$/, ''), apiKey: e[`${prefix}_API_KEY`], model };
  };
  const llm = endpoint('LLM', e.LLM_MODEL);
  const modelByProduct: Record<string, string> = {};
  for (const product of LLM_MODEL_PRODUCTS) {
    const model = e[`LLM_MODEL_${product.replace('-', '_').toUpperCase()}` as EnvName];
    if (typeof model === 'string') modelByProduct[product] = model;
  }
  const stt = endpoint('STT', e.STT_MODEL);
  const sttStreaming =
    e.STT_STREAMING_PROVIDER === 'none'
      ? undefined
      : {
          provider: e.STT_STREAMING_PROVIDER,
          url:
            e.STT_STREAMING_URL ??
            (e.STT_STREAMING_PROVIDER === 'deepgram'
              ? 'wss://api.deepgram.com/v1/listen'
              : 'wss://api.openai.com/v1/realtime'),
          apiKey: e.STT_STREAMING_API_KEY ?? e.STT_API_KEY,
          model: e.STT_STREAMING_MODEL ?? (e.STT_STREAMING_PROVIDER === 'deepgram' ? 'nova-3' : 'gpt-4o-transcribe'),
          encoding: e.STT_STREAMING_ENCODING,
          endpointingMs: e.STT_ENDPOINTING_MS,
          utteranceEndMs: e.STT_UTTERANCE_END_MS,
        };
  if (e.TURN_MIN_SILENCE_MS > e.TURN_MAX_SILENCE_MS)
    problems.push('TURN_MIN_SILENCE_MS must not be higher than TURN_MAX_SILENCE_MS');
  const ttsOpenai = endpoint('TTS', e.TTS_MODEL);
  if (e.TTS_ENGINE === 'openai' && ttsOpenai === undefined) problems.push('TTS_ENGINE=openai needs TTS_BASE_URL');

  const rateCentsPerMinute = parseRates(e.RATE_CENTS_PER_MINUTE, problems);
  const cors = parseCorsOrigins(e.CORS_ALLOWED_ORIGINS, problems);
  const secretKey = loadSecretKey(e.THUNDERPHONE_SECRET_KEY, dataDir, problems, options.persistSecretKey ?? true);

  const tls = e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : null;
  if ((e.TLS_CERT_FILE === undefined) !== (e.TLS_KEY_FILE === undefined))
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE: set both (HTTPS) or neither (plain HTTP)');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    http: {
      port: e.PORT,
      host: e.HOST,
      publicBaseUrl: (e.PUBLIC_BASE_URL ?? `${tls ? 'https' : 'http'}://localhost:${e.PORT}`).replace(/\/+$/, ''),
      tls,
    },
    databaseUrl: e.DATABASE_URL,
    dataDir,
    adminToken: e.THUNDERPHONE_ADMIN_TOKEN,
    secretKey,
    sip: {
      port: e.SIP_PORT,
      bind: e.SIP_BIND,
      publicAddress: e.SIP_PUBLIC_ADDRESS ?? firstNonLoopbackAddress(),
      limits: {
        tcpIdleTimeoutMs: e.SIP_TCP_IDLE_TIMEOUT_MS,
        tcpHeaderTimeoutMs: e.SIP_TCP_HEADER_TIMEOUT_MS,
        tcpMaxBufferBytes: e.SIP_TCP_MAX_BUFFER_BYTES,
        maxTransactionBytesPerSource: e.SIP_MAX_TRANSACTION_BYTES_PER_SOURCE,
      },
      demoAllowedSources,
      sourceRatePerSecond: e.SIP_SOURCE_RATE_PER_SECOND,
      sourceBurst: e.SIP_SOURCE_BURST,
    },
    rtp: {
      portMin: e.RTP_PORT_MIN,
      portMax: e.RTP_PORT_MAX,
      mediaWorkers: e.MEDIA_WORKERS === 'auto' ? availableParallelism() : Number(e.MEDIA_WORKERS),
      mediaWorkerPriority: e.MEDIA_WORKER_PRIORITY,
    },
    demoNumbers,
    llm: llm === undefined ? undefined : { ...llm, modelByProduct },
    stt,
    sttStreaming,
    turns: {
      pauseMs: e.TURN_PAUSE_MS,
      minSilenceMs: e.TURN_MIN_SILENCE_MS,
      maxSilenceMs: e.TURN_MAX_SILENCE_MS,
      prepareReplies: e.TURN_PREPARE_REPLIES === 'true',
      prepareAudio: e.TURN_PREPARE_AUDIO === 'true',
      bargeInMinSpeechMs: e.BARGE_IN_MIN_SPEECH_MS,
      bargeInMinWords: e.BARGE_IN_MIN_WORDS,
      bargeInFilterBackchannels: e.BARGE_IN_FILTER_BACKCHANNELS === 'true',
    },
    tts: { engine: e.TTS_ENGINE, openai: ttsOpenai, voice: e.TTS_VOICE, primaryLanguage: e.TTS_PRIMARY_LANGUAGE },
    rateCentsPerMinute,
    allowPrivateTargets: e.ALLOW_PRIVATE_TARGETS,
    agents: { defaultDeployMode: e.AGENT_DEPLOY_MODE },
    cors,
    logLevel: e.LOG_LEVEL,
    calls: {
      maxConcurrentPerOrg: e.MAX_CONCURRENT_CALLS_PER_ORG,
      trunkCallsPerSecond: e.TRUNK_CALLS_PER_SECOND,
      ringTimeoutMs: e.RING_TIMEOUT_MS,
      maxCallDurationMs: e.MAX_CALL_DURATION_MS,
      mediaTimeoutMs: e.MEDIA_TIMEOUT_MS,
      voicemailHoldGreetingMs: e.VOICEMAIL_HOLD_GREETING_MS,
      outboundAttestationRequired: e.OUTBOUND_ATTESTATION_REQUIRED === 'true',
    },
    campaigns: {
      dispatchIntervalMs: e.CAMPAIGN_DISPATCH_INTERVAL_MS,
      retryDelaySeconds: e.CAMPAIGN_RETRY_DELAY_SECONDS,
    },
    recordings: { dir: resolve(e.RECORDINGS_DIR ?? join(dataDir, 'recordings')), urlTtlMs: RECORDING_URL_TTL_MS },
    ops: {
      drainTimeoutMs: e.DRAIN_TIMEOUT_MS,
      metricsToken: e.METRICS_TOKEN,
      retention: {
        webhookDays: e.WEBHOOK_RETENTION_DAYS,
        jobDays: e.JOB_RETENTION_DAYS,
        recordingDays: e.RECORDING_RETENTION_DAYS,
      },
    },
  });
}

function dataDirOf(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (path !== '' && path !== ':memory:') return dirname(path);
  }
  return './data';
}

/** `spark=3,storm=12`: the tiers named get these prices, the others keep DEFAULT_RATE_CENTS_PER_MINUTE. */
function parseRates(raw: string, problems: string[]): Record<ProductTier, number> {
  const rates: Record<ProductTier, number> = { ...DEFAULT_RATE_CENTS_PER_MINUTE };
  for (const part of raw.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    const n = Number(v);
    if (!(PRODUCT_TIERS as readonly string[]).includes(k ?? '') || !Number.isInteger(n) || n < 0) {
      problems.push(
        `RATE_CENTS_PER_MINUTE: "${part}" must look like spark=2 (products ${PRODUCT_TIERS.join(', ')}; whole cents)`,
      );
      continue;
    }
    rates[k as ProductTier] = n;
  }
  return rates;
}

/**
 * CORS_ALLOWED_ORIGINS: `*`, or origins exactly as browsers send them in `Origin` (scheme, host,
 * optional port; no path): `https://app.example.com,http://localhost:5173`.
 */
function parseCorsOrigins(raw: string, problems: string[]): { any: boolean; origins: string[] } {
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const origins: string[] = [];
  for (const part of parts) {
    if (part === '*') continue;
    let origin: string | undefined;
    try {
      const url = new URL(part);
      const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '';
      if ((url.protocol === 'http:' || url.protocol === 'https:') && bare) origin = url.origin;
    } catch {
      origin = undefined;
    }
    if (origin === undefined)
      problems.push(
        `CORS_ALLOWED_ORIGINS: "${part}" must be * or an origin such as https://app.example.com (scheme, host, optional port; no path)`,
      );
    else if (!origins.includes(origin)) origins.push(origin);
  }
  return { any: parts.includes('*'), origins };
}

/** THUNDERPHONE_SECRET_KEY: 64 hex chars or base64 of 32 bytes; generated into the data dir when unset. */
function loadSecretKey(raw: string | undefined, dataDir: string, problems: string[], persist: boolean): Buffer {
  if (raw !== undefined) {
    const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    if (key.length !== 32) problems.push('THUNDERPHONE_SECRET_KEY must be 32 bytes as 64 hex characters or base64');
    return key;
  }
  if (!persist) return secureRandomBytes(32);
  const file = join(dataDir, 'secret.key');
  try {
    if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    mkdirSync(dataDir, { recursive: true });
    const key = secureRandomBytes(32);
    writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600 });
    return key;
  } catch (err) {
    problems.push(
      `THUNDERPHONE_SECRET_KEY is unset and ${file} could not be read or created: ${(err as Error).message}`,
    );
    return secureRandomBytes(32);
  }
}
