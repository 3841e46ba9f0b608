export type TtsEngineName = 'espeak-ng' | 'flite' | 'openai';
export type PrivateTargetPolicy = 'none' | 'loopback' | 'all';
export type ProductTier = 'spark' | 'bolt' | 'storm';

export interface OpenAiCompatibleEndpoint {
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
}

/** The parsed, frozen configuration. Built once by loadConfig and injected everywhere. */
export interface Config {
  http: { port: number; host: string; publicBaseUrl: string };
  databaseUrl: string;
  dataDir: string;
  adminToken: string | undefined;
  /** 32-byte key for AES-256-GCM encryption of secrets at rest. */
  secretKey: Buffer;
  sip: { port: number; bind: string; publicAddress: string };
  rtp: { portMin: number; portMax: number };
  demoNumbers: string[];
  llm: (OpenAiCompatibleEndpoint & { modelByProduct: Partial<Record<string, string>> }) | undefined;
  stt: OpenAiCompatibleEndpoint | undefined;
  tts: { engine: TtsEngineName; openai: OpenAiCompatibleEndpoint | undefined };
  rateCentsPerMinute: Record<ProductTier, number>;
  allowPrivateTargets: PrivateTargetPolicy;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  calls: {
    maxConcurrentPerOrg: number;
    trunkCallsPerSecond: number;
    ringTimeoutMs: number;
    maxCallDurationMs: number;
    mediaTimeoutMs: number;
  };
  recordings: { dir: string; urlTtlMs: number };
}
