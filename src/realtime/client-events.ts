import { AppError } from '../shared/errors';
import { parseAudioFormat, REALTIME_PCM_RATES, type RealtimeAudioSpec } from './realtime-query';

/** A client tool in the realtime function format `{type:"function", name, description, parameters}`. */
export interface RealtimeTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** `session.update`, the GA shape (`audio.input.format` ...) and the beta one (`input_audio_format` ...) alike. */
export interface SessionUpdate {
  instructions?: string;
  voice?: string;
  tools?: RealtimeTool[];
  toolChoice?: string;
  /** undefined = unchanged; null = the client commits turns itself. */
  turnDetection?: 'server_vad' | null;
  /** A pcm16 format without a rate keeps the session's rate. */
  input?: AudioFormatUpdate;
  output?: AudioFormatUpdate;
}

export type AudioFormatUpdate = Pick<RealtimeAudioSpec, 'format'> & { rateHz?: number };

export type ClientItem =
  | { kind: 'user_text'; id: string | undefined; text: string }
  | { kind: 'function_call_output'; id: string | undefined; callId: string; output: string };

/** Client events of the OpenAI Realtime protocol this server understands, normalized. */
export type ClientEvent =
  | { type: 'session.update'; eventId: string | undefined; session: SessionUpdate }
  | { type: 'input_audio_buffer.append'; eventId: string | undefined; audio: string }
  | { type: 'input_audio_buffer.commit'; eventId: string | undefined }
  | { type: 'input_audio_buffer.clear'; eventId: string | undefined }
  | { type: 'conversation.item.create'; eventId: string | undefined; item: ClientItem }
  | {
      type: 'conversation.item.truncate';
      eventId: string | undefined;
      itemId: string;
      contentIndex: number;
      audioEndMs: number;
    }
  | { type: 'response.create'; eventId: string | undefined; instructions: string | undefined }
  | { type: 'response.cancel'; eventId: string | undefined }
  /** GA: the client stops playback (WebRTC/SIP only upstream; here the same as response.cancel). */
  | { type: 'output_audio_buffer.clear'; eventId: string | undefined };

/** A client event that cannot be used: an `error` event goes back, the session goes on. */
export class ClientEventError extends AppError {
  readonly eventId: string | undefined;
  readonly param: string | undefined;
  constructor(message: string, eventId: string | undefined, param?: string) {
    super('realtime_invalid_event', message);
    this.eventId = eventId;
    this.param = param;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one text frame of the client. Throws ClientEventError. */
export function parseClientEvent(text: string): ClientEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ClientEventError('The event is not valid JSON.', undefined);
  }
  if (!isObj(raw)) throw new ClientEventError('The event must be a JSON object.', undefined);
  const eventId = typeof raw.event_id === 'string' ? raw.event_id : undefined;
  const fail = (message: string, param?: string): never => {
    throw new ClientEventError(message, eventId, param);
  };
  const str = (v: unknown, param: string): string =>
    typeof v === 'string' ? v : fail(`${param} must be a string.`, param);
  switch (raw.type) {
    case 'session.update':
      return { type: 'session.update', eventId, session: parseSession(isObj(raw.session) ? raw.session : {}, fail) };
    case 'input_audio_buffer.append':
      return { type: 'input_audio_buffer.append', eventId, audio: str(raw.audio, 'audio') };
    case 'input_audio_buffer.commit':
    case 'input_audio_buffer.clear':
    case 'response.cancel':
    case 'output_audio_buffer.clear':
      return { type: raw.type, eventId };
    case 'conversation.item.create':
      return { type: 'conversation.item.create', eventId, item: parseItem(raw.item, fail) };
    case 'conversation.item.truncate': {
      const audioEndMs = raw.audio_end_ms;
      if (typeof audioEndMs !== 'number' || !(audioEndMs >= 0))
        fail('audio_end_ms must be a number ≥ 0.', 'audio_end_ms');
      return {
        type: 'conversation.item.truncate',
        eventId,
        itemId: str(raw.item_id, 'item_id'),
        contentIndex: typeof raw.content_index === 'number' ? raw.content_index : 0,
        audioEndMs: audioEndMs as number,
      };
    }
    case 'response.create': {
      const r = isObj(raw.response) ? raw.response : {};
      const instructions = r.instructions;
      if (instructions !== undefined && typeof instructions !== 'string')
        fail('response.instructions must be a string.', 'response.instructions');
      return { type: 'response.create', eventId, instructions: instructions as string | undefined };
    }
    default:
      return fail(
        typeof raw.type === 'string' ? `Unknown event type "${raw.type}".` : 'The event has no type.',
        'type',
      );
  }
}

function parseItem(item: unknown, fail: (m: string, p?: string) => never): ClientItem {
  if (!isObj(item)) return fail('item must be an object.', 'item');
  const id = typeof item.id === 'string' ? item.id : undefined;
  if (item.type === 'function_call_output') {
    if (typeof item.call_id !== 'string') return fail('item.call_id must be a string.', 'item.call_id');
    const output = typeof item.output === 'string' ? item.output : JSON.stringify(item.output ?? null);
    return { kind: 'function_call_output', id, callId: item.call_id, output };
  }
  if (item.type === 'message' && item.role === 'user' && Array.isArray(item.content)) {
    const text = item.content
      .filter((c): c is Obj => isObj(c) && (c.type === 'input_text' || c.type === 'text'))
      .map((c) => (typeof c.text === 'string' ? c.text : ''))
      .join('');
    if (text.trim() === '') return fail('A user message needs input_text content.', 'item.content');
    return { kind: 'user_text', id, text };
  }
  return fail('Only user text messages and function_call_output items can be created.', 'item.type');
}

function parseSession(s: Obj, fail: (m: string, p?: string) => never): SessionUpdate {
  const out: SessionUpdate = {};
  if (s.instructions !== undefined) {
    if (typeof s.instructions !== 'string') fail('session.instructions must be a string.', 'session.instructions');
    out.instructions = s.instructions;
  }
  const audio = isObj(s.audio) ? s.audio : {};
  const input = isObj(audio.input) ? audio.input : {};
  const output = isObj(audio.output) ? audio.output : {};
  const voice = output.voice ?? s.voice;
  if (voice !== undefined) {
    if (typeof voice !== 'string') fail('session.voice must be a string.', 'session.voice');
    out.voice = voice;
  }
  if (s.tools !== undefined) {
    if (!Array.isArray(s.tools)) fail('session.tools must be an array.', 'session.tools');
    out.tools = (s.tools as unknown[]).map((t, i) => {
      const p = `session.tools.${i}`;
      if (!isObj(t) || (t.type !== undefined && t.type !== 'function')) return fail(`${p} must be a function tool.`, p);
      if (typeof t.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(t.name))
        return fail(`${p}.name must be 1-64 letters, digits, _ or -.`, `${p}.name`);
      const parameters = isObj(t.parameters) ? t.parameters : { type: 'object', properties: {} };
      return { name: t.name, description: typeof t.description === 'string' ? t.description : '', parameters };
    });
  }
  if (typeof s.tool_choice === 'string') out.toolChoice = s.tool_choice;
  const td = 'turn_detection' in input ? input.turn_detection : s.turn_detection;
  if (td === null) out.turnDetection = null;
  else if (isObj(td)) out.turnDetection = 'server_vad';
  const inSpec = audioSpecOf(input.format ?? s.input_audio_format, 'input', fail);
  if (inSpec) out.input = inSpec;
  const outSpec = audioSpecOf(output.format ?? s.output_audio_format, 'output', fail);
  if (outSpec) out.output = outSpec;
  return out;
}

/** `"pcm16"` (beta) or `{type: "audio/pcm", rate: 24000}` (GA). */
function audioSpecOf(
  v: unknown,
  side: 'input' | 'output',
  fail: (m: string, p?: string) => never,
): AudioFormatUpdate | undefined {
  if (v === undefined) return undefined;
  const param = `session.audio.${side}.format`;
  const name = isObj(v) ? v.type : v;
  const format = parseAudioFormat(name);
  if (!format)
    return fail(`${param} must be pcm16 (audio/pcm), g711_ulaw (audio/pcmu) or g711_alaw (audio/pcma).`, param);
  if (format !== 'pcm16') return { format, rateHz: 8000 };
  const rate = isObj(v) ? v.rate : undefined;
  if (rate === undefined) return { format };
  if (!(REALTIME_PCM_RATES as readonly unknown[]).includes(rate))
    return fail(`${param}.rate must be 16000 or 24000.`, param);
  return { format, rateHz: rate as number };
}
