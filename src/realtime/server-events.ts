import type { RealtimeAudioSpec } from './realtime-query';

/**
 * Which generation of the OpenAI Realtime protocol the client speaks: `beta` when the handshake
 * carries `OpenAI-Beta: realtime=v1` (the beta clients, LiveKit/Pipecat plugins of 2024-25),
 * otherwise `ga`. Only server event names and the session shape differ; client events are
 * accepted in both forms on every connection.
 */
export type RealtimeDialect = 'ga' | 'beta';

/** Server event names that differ between the generations. */
const NAMES = {
  ga: {
    audioDelta: 'response.output_audio.delta',
    audioDone: 'response.output_audio.done',
    transcriptDelta: 'response.output_audio_transcript.delta',
    transcriptDone: 'response.output_audio_transcript.done',
    audioPart: 'output_audio',
  },
  beta: {
    audioDelta: 'response.audio.delta',
    audioDone: 'response.audio.done',
    transcriptDelta: 'response.audio_transcript.delta',
    transcriptDone: 'response.audio_transcript.done',
    audioPart: 'audio',
  },
} as const;

export type ServerEvent = { type: string; event_id: string } & Record<string, unknown>;

export interface SessionView {
  id: string;
  model: string;
  instructions: string;
  voice: string;
  tools: { name: string; description: string; parameters: Record<string, unknown> }[];
  toolChoice: string;
  turnDetection: boolean;
  input: RealtimeAudioSpec;
  output: RealtimeAudioSpec;
}

export interface AssistantItemView {
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  transcript: string;
}

/** Builds the server's events in the client's dialect; `nextId` gives event ids (`event_...`). */
export class ServerEvents {
  readonly dialect: RealtimeDialect;
  readonly #names: (typeof NAMES)[RealtimeDialect];
  readonly #nextId: () => string;

  constructor(dialect: RealtimeDialect, nextId: () => string) {
    this.dialect = dialect;
    this.#names = NAMES[dialect];
    this.#nextId = nextId;
  }

  event(type: string, body: Record<string, unknown> = {}): ServerEvent {
    return { type, event_id: this.#nextId(), ...body };
  }

  get names(): (typeof NAMES)[RealtimeDialect] {
    return this.#names;
  }

  session(kind: 'session.created' | 'session.updated', s: SessionView): ServerEvent {
    const turnDetection = s.turnDetection
      ? { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 200, silence_duration_ms: 600, create_response: true }
      : null;
    const tools = s.tools.map((t) => ({ type: 'function', ...t }));
    if (this.dialect === 'beta')
      return this.event(kind, {
        session: {
          id: s.id,
          object: 'realtime.session',
          model: s.model,
          modalities: ['audio', 'text'],
          instructions: s.instructions,
          voice: s.voice,
          input_audio_format: s.input.format,
          output_audio_format: s.output.format,
          input_audio_transcription: { model: 'thunderphone-stt' },
          turn_detection: turnDetection,
          tools,
          tool_choice: s.toolChoice,
        },
      });
    return this.event(kind, {
      session: {
        type: 'realtime',
        id: s.id,
        object: 'realtime.session',
        model: s.model,
        output_modalities: ['audio'],
        instructions: s.instructions,
        audio: {
          input: {
            format: gaFormat(s.input),
            transcription: { model: 'thunderphone-stt' },
            turn_detection: turnDetection,
          },
          output: { format: gaFormat(s.output), voice: s.voice },
        },
        tools,
        tool_choice: s.toolChoice,
      },
    });
  }

  error(code: string, message: string, eventId?: string, param?: string): ServerEvent {
    return this.event('error', {
      error: { type: 'invalid_request_error', code, message, param: param ?? null, event_id: eventId ?? null },
    });
  }

  userItem(itemId: string, text: string | null, kind: 'audio' | 'text'): Record<string, unknown> {
    const content =
      kind === 'audio' ? [{ type: 'input_audio', transcript: text }] : [{ type: 'input_text', text: text ?? '' }];
    return { id: itemId, object: 'realtime.item', type: 'message', role: 'user', status: 'completed', content };
  }

  assistantItem(item: AssistantItemView): Record<string, unknown> {
    return {
      id: item.id,
      object: 'realtime.item',
      type: 'message',
      role: 'assistant',
      status: item.status,
      content: item.transcript === '' && item.status === 'in_progress' ? [] : [this.audioPart(item.transcript)],
    };
  }

  functionCallItem(itemId: string, callId: string, name: string, args: string): Record<string, unknown> {
    return {
      id: itemId,
      object: 'realtime.item',
      type: 'function_call',
      status: 'completed',
      call_id: callId,
      name,
      arguments: args,
    };
  }

  audioPart(transcript: string): Record<string, unknown> {
    return { type: this.#names.audioPart, transcript };
  }

  /** conversation.item.created (both), plus the GA pair conversation.item.added / done. */
  itemCreated(item: Record<string, unknown>, previousItemId: string | null): ServerEvent[] {
    const body = { previous_item_id: previousItemId, item };
    const events = [this.event('conversation.item.created', body)];
    if (this.dialect === 'ga') events.push(this.event('conversation.item.added', body));
    return events;
  }

  itemDone(item: Record<string, unknown>, previousItemId: string | null): ServerEvent[] {
    return this.dialect === 'ga'
      ? [this.event('conversation.item.done', { previous_item_id: previousItemId, item })]
      : [];
  }
}

function gaFormat(spec: RealtimeAudioSpec): Record<string, unknown> {
  if (spec.format === 'g711_ulaw') return { type: 'audio/pcmu' };
  if (spec.format === 'g711_alaw') return { type: 'audio/pcma' };
  return { type: 'audio/pcm', rate: spec.rateHz };
}
