import { isProduct, type Product } from '../agents/products';
import { AppError } from '../shared/errors';

/** Audio on the WebSocket (OpenAI realtime names): 16-bit little-endian PCM, or G.711 at 8 kHz. */
export type RealtimeAudioFormat = 'pcm16' | 'g711_ulaw' | 'g711_alaw';
export const REALTIME_AUDIO_FORMATS: readonly RealtimeAudioFormat[] = ['pcm16', 'g711_ulaw', 'g711_alaw'];
export const REALTIME_PCM_RATES = [16000, 24000] as const;

export interface RealtimeAudioSpec {
  format: RealtimeAudioFormat;
  /** Samples per second on the wire: 16000 or 24000 for pcm16, always 8000 for G.711. */
  rateHz: number;
}

/** What a session runs: a saved agent, or an inline agent configured by the client's session.update. */
export type RealtimeTarget =
  { kind: 'agent'; agentId: number } | { kind: 'inline'; product: Product; language: string };

/** The handshake's query parameters (thunderphone-api.md §3.22), checked. */
export interface RealtimeQuery {
  target: RealtimeTarget;
  fromNumber: string | null;
  toNumber: string | null;
  input: RealtimeAudioSpec;
  output: RealtimeAudioSpec;
  /** `call_events=1`: platform `call.*` events (hang-up reason) on the socket. */
  callEvents: boolean;
}

const E164 = /^\+[1-9]\d{7,14}$/;
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
/** OpenAI's default for pcm16 (the official clients assume it). */
const DEFAULT_PCM_RATE = 24000;

const bad = (param: string, message: string): AppError =>
  new AppError('realtime_invalid_parameter', `${param}: ${message}`, { details: { param } });

/** The first value of a query parameter (repeated parameters take the first). */
function one(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/**
 * Parses the query of `GET /v1/realtime`. `model` (what the official OpenAI clients send) may
 * name a product (`spark`, `storm-base`...) or a saved agent as `agent_<id>`; other model names
 * (`gpt-realtime`) mean the default product. `defaults` come from a client secret's session.
 */
export function parseRealtimeQuery(
  query: Record<string, unknown>,
  defaults: Partial<{ agentId: number; product: string; language: string }> = {},
): RealtimeQuery {
  const model = one(query, 'model');
  const modelAgent = model !== undefined ? /^agent_(\d+)$/.exec(model)?.[1] : undefined;
  const agentText = one(query, 'agent_id') ?? modelAgent;
  const productText = one(query, 'product') ?? (model !== undefined && isProduct(model) ? model : undefined);
  let target: RealtimeTarget;
  if (agentText !== undefined || defaults.agentId !== undefined) {
    if (one(query, 'product') !== undefined) throw bad('product', 'pass agent_id or an inline product, not both.');
    const agentId = agentText === undefined ? defaults.agentId! : Number(agentText);
    if (!Number.isSafeInteger(agentId) || agentId <= 0) throw bad('agent_id', 'must be a positive integer.');
    target = { kind: 'agent', agentId };
  } else {
    const product = productText ?? defaults.product ?? 'spark';
    if (!isProduct(product)) throw bad('product', `unknown product "${product}".`);
    const language = one(query, 'language') ?? defaults.language ?? 'en-US';
    if (!LANGUAGE.test(language)) throw bad('language', 'must be a BCP-47 tag such as en-US.');
    target = { kind: 'inline', product, language };
  }
  const number = (name: string): string | null => {
    const v = one(query, name);
    if (v === undefined) return null;
    if (!E164.test(v)) throw bad(name, 'must be an E.164 number such as +14155550100.');
    return v;
  };
  const callEvents = one(query, 'call_events');
  if (callEvents !== undefined && !['0', '1', 'true', 'false'].includes(callEvents))
    throw bad('call_events', 'must be 1 or 0.');
  return {
    target,
    fromNumber: number('from_number'),
    toNumber: number('to_number'),
    input: audioSpec(query, 'input'),
    output: audioSpec(query, 'output'),
    callEvents: callEvents === '1' || callEvents === 'true',
  };
}

function audioSpec(query: Record<string, unknown>, side: 'input' | 'output'): RealtimeAudioSpec {
  const formatText = one(query, `${side}_audio_format`) ?? 'pcm16';
  const format = parseAudioFormat(formatText);
  if (!format) throw bad(`${side}_audio_format`, 'must be pcm16, g711_ulaw or g711_alaw.');
  const rateText = one(query, `${side}_rate`);
  if (format !== 'pcm16') {
    if (rateText !== undefined && rateText !== '8000') throw bad(`${side}_rate`, 'G.711 audio is 8000 Hz.');
    return { format, rateHz: 8000 };
  }
  const rateHz = rateText === undefined ? DEFAULT_PCM_RATE : Number(rateText);
  if (!(REALTIME_PCM_RATES as readonly number[]).includes(rateHz)) throw bad(`${side}_rate`, 'must be 16000 or 24000.');
  return { format, rateHz };
}

/** A format name of either protocol generation: `pcm16` / `g711_ulaw` (beta), `audio/pcm` / `audio/pcmu` (GA). */
export function parseAudioFormat(name: unknown): RealtimeAudioFormat | undefined {
  switch (name) {
    case 'pcm16':
    case 'audio/pcm':
      return 'pcm16';
    case 'g711_ulaw':
    case 'audio/pcmu':
      return 'g711_ulaw';
    case 'g711_alaw':
    case 'audio/pcma':
      return 'g711_alaw';
    default:
      return undefined;
  }
}
