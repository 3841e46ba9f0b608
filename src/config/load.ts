import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DEFAULTS } from './defaults';
import type { Config, PrivateTargetPolicy, ProductTier, TtsEngineName } from './config';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const E164 = /^\+[1-9]\d{7,14}$/;

function firstNonLoopbackAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/**
 * Parses the environment once, reporting every problem together. This is the only module
 * that reads process.env (main.ts passes it in).
 */
export function loadConfig(env: Env, options: { persistSecretKey?: boolean } = {}): Config {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return def;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, def: T, values: readonly T[]): T => {
    const raw = str(name) ?? def;
    if (!(values as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${values.join(', ')} (got "${raw}")`);
      return def;
    }
    return raw as T;
  };

  const port = int('PORT', DEFAULTS.port, 0, 65535);
  const host = str('HOST') ?? DEFAULTS.host;
  const databaseUrl = str('DATABASE_URL') ?? DEFAULTS.databaseUrl;
  if (!/^sqlite:/.test(databaseUrl) && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with sqlite: or postgres://');
  }
  const dataDir = resolve(str('THUNDERPHONE_DATA_DIR') ?? dataDirOf(databaseUrl));

  const sipPort = int('SIP_PORT', DEFAULTS.sipPort, 0, 65535);
  const rtpMin = int('RTP_PORT_MIN', DEFAULTS.rtpPortMin, 1024, 65534);
  const rtpMax = int('RTP_PORT_MAX', DEFAULTS.rtpPortMax, 1025, 65535);
  if (rtpMin >= rtpMax) problems.push('RTP_PORT_MIN must be lower than RTP_PORT_MAX');

  const demoNumbers = (str('DEMO_NUMBERS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of demoNumbers) if (!E164.test(n)) problems.push(`DEMO_NUMBERS: "${n}" is not an E.164 number`);

  const endpoint = (prefix: string, defaultModel: string | undefined) => {
    const baseUrl = str(`${prefix}_BASE_URL`);
    if (baseUrl === undefined) return undefined;
    if (!/^https?:\/\//.test(baseUrl)) problems.push(`${prefix}_BASE_URL must be an http(s) URL`);
    const model = str(`${prefix}_MODEL`) ?? defaultModel;
    if (model === undefined) {
      problems.push(`${prefix}_MODEL is required when ${prefix}_BASE_URL is set`);
      return undefined;
    }
    return { baseUrl: baseUrl.replace(/\/+$/, ''), apiKey: str(`${prefix}_API_KEY`), model };
  };
  const llmBase = endpoint('LLM', undefined);
  const modelByProduct: Partial<Record<string, string>> = {};
  for (const product of ['spark', 'bolt', 'storm-base', 'storm-extra']) {
    const v = str(`LLM_MODEL_${product.replace('-', '_').toUpperCase()}`);
    if (v !== undefined) modelByProduct[product] = v;
  }
  const ttsEngine = oneOf<TtsEngineName>('TTS_ENGINE', DEFAULTS.ttsEngine, ['espeak-ng', 'flite', 'openai']);
  const ttsOpenai = endpoint('TTS', 'tts-1');
  if (ttsEngine === 'openai' && ttsOpenai === undefined) problems.push('TTS_ENGINE=openai needs TTS_BASE_URL');

  const rateCentsPerMinute = parseRates(str('RATE_CENTS_PER_MINUTE') ?? DEFAULTS.rateCentsPerMinute, problems);
  const allowPrivateTargets = oneOf<PrivateTargetPolicy>('ALLOW_PRIVATE_TARGETS', DEFAULTS.allowPrivateTargets, [
    'none',
    'loopback',
    'all',
  ]);
  const logLevel = oneOf('LOG_LEVEL', DEFAULTS.logLevel, ['debug', 'info', 'warn', 'error', 'silent'] as const);

  const publicBaseUrl = (str('PUBLIC_BASE_URL') ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const secretKey = loadSecretKey(str('THUNDERPHONE_SECRET_KEY'), dataDir, problems, options.persistSecretKey ?? true);

  const calls = {
    maxConcurrentPerOrg: int('MAX_CONCURRENT_CALLS_PER_ORG', DEFAULTS.maxConcurrentCallsPerOrg, 1, 10_000),
    trunkCallsPerSecond: int('TRUNK_CALLS_PER_SECOND', DEFAULTS.trunkCallsPerSecond, 1, 10_000),
    ringTimeoutMs: int('RING_TIMEOUT_MS', DEFAULTS.ringTimeoutMs, 1000, 600_000),
    maxCallDurationMs: int('MAX_CALL_DURATION_MS', DEFAULTS.maxCallDurationMs, 1000, 24 * 3_600_000),
    mediaTimeoutMs: int('MEDIA_TIMEOUT_MS', DEFAULTS.mediaTimeoutMs, 1000, 3_600_000),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    http: { port, host, publicBaseUrl },
    databaseUrl,
    dataDir,
    adminToken: str('THUNDERPHONE_ADMIN_TOKEN'),
    secretKey,
    sip: {
      port: sipPort,
      bind: str('SIP_BIND') ?? DEFAULTS.sipBind,
      publicAddress: str('SIP_PUBLIC_ADDRESS') ?? firstNonLoopbackAddress(),
    },
    rtp: { portMin: rtpMin, portMax: rtpMax },
    demoNumbers,
    llm: llmBase === undefined ? undefined : { ...llmBase, modelByProduct },
    stt: endpoint('STT', 'whisper-1'),
    tts: { engine: ttsEngine, openai: ttsOpenai },
    rateCentsPerMinute,
    allowPrivateTargets,
    logLevel,
    calls,
    recordings: {
      dir: resolve(str('RECORDINGS_DIR') ?? join(dataDir, 'recordings')),
      urlTtlMs: DEFAULTS.recordingUrlTtlMs,
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

function parseRates(raw: string, problems: string[]): Record<ProductTier, number> {
  const rates: Record<ProductTier, number> = { spark: 2, bolt: 5, storm: 9 };
  for (const part of raw.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    const n = Number(v);
    if ((k !== 'spark' && k !== 'bolt' && k !== 'storm') || !Number.isInteger(n) || n < 0) {
      problems.push(
        `RATE_CENTS_PER_MINUTE: "${part}" must look like spark=2 (products spark, bolt, storm; whole cents)`,
      );
      continue;
    }
    rates[k] = n;
  }
  return rates;
}

/** THUNDERPHONE_SECRET_KEY: 64 hex chars or base64 of 32 bytes; generated into the data dir when unset. */
function loadSecretKey(raw: string | undefined, dataDir: string, problems: string[], persist: boolean): Buffer {
  if (raw !== undefined) {
    const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    if (key.length !== 32) problems.push('THUNDERPHONE_SECRET_KEY must be 32 bytes as 64 hex characters or base64');
    return key;
  }
  if (!persist) return randomBytes(32);
  const file = join(dataDir, 'secret.key');
  try {
    if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    mkdirSync(dataDir, { recursive: true });
    const key = randomBytes(32);
    writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600 });
    return key;
  } catch (err) {
    problems.push(
      `THUNDERPHONE_SECRET_KEY is unset and ${file} could not be read or created: ${(err as Error).message}`,
    );
    return randomBytes(32);
  }
}
