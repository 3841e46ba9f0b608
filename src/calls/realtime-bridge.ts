import { FRAME_MS } from '../audio/frame';
import { TypedEmitter } from '../shared/typed-emitter';
import type { Logger } from '../shared/log';
import {
  ClientEventError,
  parseClientEvent,
  type AudioFormatUpdate,
  type ClientEvent,
  type SessionUpdate,
} from '../realtime/client-events';
import { RealtimeAudioIn, RealtimeAudioOut } from '../realtime/realtime-audio';
import type { RealtimeAudioSpec } from '../realtime/realtime-query';
import type { ServerEvent, ServerEvents, SessionView } from '../realtime/server-events';
import type { MediaEvents, MediaPort, RealtimeAgentPort } from './call-ports';
import { RealtimeResponses } from './realtime-responses';

/** The socket as the bridge sees it (api/routes/realtime.ts adapts the `ws` socket). */
export interface RealtimeConnection {
  send(event: ServerEvent): void;
}

export interface RealtimeBridgeOptions {
  connection: RealtimeConnection;
  events: ServerEvents;
  /** Ids for items/responses (`item_...`, `resp_...`). */
  newId: (prefix: string) => string;
  session: SessionView;
  /** A saved agent keeps its instructions, voice and tools; session.update only changes formats, turn detection and client tools. */
  agentIsAuthority: boolean;
  /** `rate_limits.updated` entries sent after each response (what the balance still pays). */
  rateLimits?: () => Promise<Record<string, unknown>[]>;
  log: Logger;
}

interface RealtimeBridgeEvents {
  /** The first session.update (or the first event that needs the agent) of an inline session. */
  configured: (session: SessionView) => void;
}

/**
 * The OpenAI Realtime protocol over one agent session, like MediaBridge for RTP: client events →
 * agent (audio frames, text, responses, tool outputs), agent events → server events. Audio goes
 * through the MediaPort it exposes (`media`), so MediaBridge's recorder and silence filler serve
 * both transports. Holds only protocol state (item and response ids, formats, what was sent).
 */
export class RealtimeBridge extends TypedEmitter<RealtimeBridgeEvents> {
  readonly #o: RealtimeBridgeOptions;
  readonly #ev: ServerEvents;
  readonly #mediaEvents = new TypedEmitter<MediaEvents>();
  /** What MediaBridge sees: decoded client frames in, agent frames out. */
  readonly media: MediaPort;
  #agent: RealtimeAgentPort | undefined;
  #session: SessionView;
  #in: RealtimeAudioIn;
  #out: RealtimeAudioOut;
  #configured = false;
  #lastItemId: string | null = null;
  /** Speech items waiting for their transcript, oldest first. */
  readonly #pendingUserItems: string[] = [];
  #speechItemId: string | undefined;
  /** Client audio the agent has been given, ms of 20 ms frames (the position of speech events). */
  #heardMs = 0;
  /** Client-committed turns (turn_detection null): frames since the last commit. */
  #manualFrames: Int16Array[] = [];
  #manualStartMs = 0;
  readonly #responses: RealtimeResponses;
  /** Client events that came before the agent was ready (an inline agent starts at the first session.update). */
  #pending: ClientEvent[] | undefined = [];

  constructor(options: RealtimeBridgeOptions) {
    super((err) => options.log.error({ err }, 'realtime bridge listener failed'));
    this.#o = options;
    this.#ev = options.events;
    this.#session = options.session;
    this.#in = new RealtimeAudioIn(options.session.input);
    this.#out = new RealtimeAudioOut(options.session.output);
    this.#responses = new RealtimeResponses({
      events: options.events,
      send: (event) => this.#send(event),
      newId: options.newId,
      created: (item) => this.#created(item),
      out: () => this.#out,
      rateLimits: options.rateLimits,
      onRateLimitsFailed: (err) => options.log.debug({ err }, 'rate limits not sent'),
    });
    this.media = {
      on: (event, listener) => this.#mediaEvents.on(event, listener),
      sendAudio: (frame) => {
        if (this.#responses.audio(frame)) this.#mediaEvents.emit('sent', frame);
      },
      clearOutgoing: () => undefined,
    };
  }

  get session(): SessionView {
    return this.#session;
  }

  get configured(): boolean {
    return this.#configured;
  }

  /** Sends session.created; for saved agents the session is configured from the start. */
  open(): void {
    this.#send(this.#ev.session('session.created', this.#session));
    if (this.#o.agentIsAuthority) this.#configured = true;
  }

  /** Joins the agent once it exists (an inline session's agent is built at its first session.update). */
  attach(agent: RealtimeAgentPort): void {
    this.#agent = agent;
    agent.on('callerSpeech', (s) => this.#onCallerSpeech(s.state, s.agoMs));
    agent.on('userTurn', (t) => this.#onUserTurn(t.text, t.source));
    agent.on('responseStarted', (id) => this.#responses.started(id));
    agent.on('responseText', (id, delta) => this.#responses.text(id, delta));
    agent.on('clientToolCall', (id, call) => this.#responses.clientToolCall(id, call));
    agent.on('responseDone', (id, status) => this.#responses.done(id, status));
    agent.setClientTools(this.#o.agentIsAuthority ? this.#clientOnlyTools() : this.#session.tools);
  }

  /** The agent runs: the client events that waited for it are handled now, in order. */
  drain(): void {
    const pending = this.#pending ?? [];
    this.#pending = undefined;
    for (const ev of pending) this.#handleSafely(ev);
  }

  /** One text frame of the client. */
  receive(text: string): void {
    let ev: ClientEvent;
    try {
      ev = parseClientEvent(text);
    } catch (err) {
      if (err instanceof ClientEventError) this.#send(this.#ev.error(err.code, err.message, err.eventId, err.param));
      else throw err;
      return;
    }
    this.#handleSafely(ev);
  }

  #handleSafely(ev: ClientEvent): void {
    try {
      this.#handle(ev);
    } catch (err) {
      if (err instanceof ClientEventError) this.#send(this.#ev.error(err.code, err.message, err.eventId, err.param));
      else throw err;
    }
  }

  /** The platform ended the session (call_events=1 clients get the reason). */
  ended(reason: string, callEvents: boolean): void {
    if (callEvents) this.#send(this.#ev.event('call.ended', { reason }));
  }

  close(): void {
    this.#in.close();
    this.#out.close();
  }

  // ---- client → agent ----------------------------------------------------------------------

  #handle(ev: ClientEvent): void {
    if (ev.type === 'session.update') return this.#onSessionUpdate(ev.session, ev.eventId);
    // Anything but session.update first: an inline session runs with what it has.
    this.#ensureConfigured();
    if (this.#pending) {
      this.#pending.push(ev);
      return;
    }
    const agent = this.#agent;
    switch (ev.type) {
      case 'input_audio_buffer.append': {
        let frames: Int16Array[];
        try {
          frames = this.#in.push(ev.audio);
        } catch {
          throw new ClientEventError('audio must be base64.', ev.eventId, 'audio');
        }
        if (this.#session.turnDetection)
          for (const f of frames) {
            // Counted before the agent hears it: speech events it raises on this frame are placed with it.
            this.#heardMs += FRAME_MS;
            this.#mediaEvents.emit('audio', f);
          }
        else {
          this.#heardMs += frames.length * FRAME_MS;
          if (this.#manualFrames.length === 0) this.#manualStartMs = agent?.nowMs ?? 0;
          this.#manualFrames.push(...frames);
        }
        return;
      }
      case 'input_audio_buffer.commit':
        return this.#commitManual(ev.eventId);
      case 'input_audio_buffer.clear':
        this.#in.clear();
        this.#manualFrames = [];
        this.#send(this.#ev.event('input_audio_buffer.cleared'));
        return;
      case 'conversation.item.create': {
        const item = ev.item;
        if (item.kind === 'user_text') {
          const itemId = item.id ?? this.#o.newId('item_');
          this.#created(this.#ev.userItem(itemId, item.text, 'text'));
          agent?.addUserText(item.text);
          return;
        }
        if (!agent?.submitToolOutput(item.callId, parseOutput(item.output)))
          this.#unknown(`No function call "${item.callId}" is waiting for output.`, ev.eventId, 'item.call_id');
        this.#created({
          id: item.id ?? this.#o.newId('item_'),
          object: 'realtime.item',
          type: 'function_call_output',
          status: 'completed',
          call_id: item.callId,
          output: item.output,
        });
        return;
      }
      case 'conversation.item.truncate': {
        const response = this.#responses.ofItem(ev.itemId);
        if (response === undefined) return this.#unknown(`No assistant item "${ev.itemId}".`, ev.eventId, 'item_id');
        // Still playing: stop it (the session cuts it to what was played); else the item stays as heard.
        if (response.open) agent?.cancelResponse();
        this.#send(
          this.#ev.event('conversation.item.truncated', {
            item_id: ev.itemId,
            content_index: ev.contentIndex,
            audio_end_ms: ev.audioEndMs,
          }),
        );
        return;
      }
      case 'response.create':
        agent?.respondNow(ev.instructions);
        return;
      case 'response.cancel':
      case 'output_audio_buffer.clear':
        agent?.cancelResponse();
        return;
    }
  }

  #onSessionUpdate(update: SessionUpdate, eventId: string | undefined): void {
    const s = { ...this.#session };
    if (!this.#o.agentIsAuthority && !this.#configured) {
      if (update.instructions !== undefined) s.instructions = update.instructions;
      if (update.voice !== undefined) s.voice = update.voice;
    }
    if (update.tools !== undefined) s.tools = update.tools;
    if (update.toolChoice !== undefined) s.toolChoice = update.toolChoice;
    if (update.turnDetection !== undefined) s.turnDetection = update.turnDetection !== null;
    if (update.input) s.input = mergeFormat(s.input, update.input);
    if (update.output) s.output = mergeFormat(s.output, update.output);
    if (s.input.format !== this.#session.input.format || s.input.rateHz !== this.#session.input.rateHz) {
      this.#in.close();
      this.#in = new RealtimeAudioIn(s.input);
    }
    if (s.output.format !== this.#session.output.format || s.output.rateHz !== this.#session.output.rateHz) {
      this.#out.close();
      this.#out = new RealtimeAudioOut(s.output);
    }
    this.#session = s;
    this.#agent?.setClientTools(this.#o.agentIsAuthority ? this.#clientOnlyTools() : s.tools);
    this.#ensureConfigured();
    void eventId;
    this.#send(this.#ev.session('session.updated', this.#session));
  }

  #ensureConfigured(): void {
    if (this.#configured) return;
    this.#configured = true;
    this.emit('configured', this.#session);
  }

  /** A saved agent's own tools stay; the client adds tools of other names. */
  #clientOnlyTools(): SessionView['tools'] {
    return this.#session.tools;
  }

  #commitManual(eventId: string | undefined): void {
    const frames = this.#manualFrames;
    this.#manualFrames = [];
    if (this.#session.turnDetection) {
      // Server turn detection decides turns itself; a commit only confirms what it has.
      this.#send(this.#ev.event('input_audio_buffer.committed', { previous_item_id: this.#lastItemId, item_id: null }));
      return;
    }
    if (frames.length === 0) {
      this.#send(this.#ev.error('realtime_invalid_event', 'The input audio buffer is empty.', eventId));
      return;
    }
    const itemId = this.#o.newId('item_');
    this.#send(this.#ev.event('input_audio_buffer.committed', { previous_item_id: this.#lastItemId, item_id: itemId }));
    this.#created(this.#ev.userItem(itemId, null, 'audio'));
    this.#pendingUserItems.push(itemId);
    const audio = new Int16Array(frames.length * frames[0]!.length);
    frames.forEach((f, i) => audio.set(f, i * f.length));
    const startMs = this.#manualStartMs;
    const endMs = startMs + frames.length * FRAME_MS;
    void this.#agent
      ?.addUserSpeech(audio, startMs, endMs)
      .then((text) => {
        if (text === '') this.#transcriptionFailed(itemId, 'Nothing was recognized in the audio.');
      })
      .catch((err: unknown) => this.#transcriptionFailed(itemId, String((err as Error).message ?? err)));
  }

  #transcriptionFailed(itemId: string, message: string): void {
    const i = this.#pendingUserItems.indexOf(itemId);
    if (i >= 0) this.#pendingUserItems.splice(i, 1);
    this.#send(
      this.#ev.event('conversation.item.input_audio_transcription.failed', {
        item_id: itemId,
        content_index: 0,
        error: { type: 'transcription_error', code: 'transcription_failed', message },
      }),
    );
  }

  // ---- agent → client (responses: realtime-responses.ts) ----------------------------------

  /**
   * `agoMs`: how far back in the audio the agent heard the speech started / stopped, so
   * audio_start_ms / audio_end_ms place it in the client's audio (a chunk of audio is heard at
   * once; a held utterance is announced late; a stop after the silence waited).
   */
  #onCallerSpeech(state: 'started' | 'stopped', agoMs: number): void {
    if (!this.#session.turnDetection) return;
    const atMs = Math.max(0, Math.round(this.#heardMs - agoMs));
    if (state === 'started') {
      this.#speechItemId = this.#o.newId('item_');
      this.#send(
        this.#ev.event('input_audio_buffer.speech_started', { audio_start_ms: atMs, item_id: this.#speechItemId }),
      );
      return;
    }
    const itemId = this.#speechItemId ?? this.#o.newId('item_');
    this.#speechItemId = undefined;
    this.#send(this.#ev.event('input_audio_buffer.speech_stopped', { audio_end_ms: atMs, item_id: itemId }));
    this.#send(this.#ev.event('input_audio_buffer.committed', { previous_item_id: this.#lastItemId, item_id: itemId }));
    this.#created(this.#ev.userItem(itemId, null, 'audio'));
    this.#pendingUserItems.push(itemId);
  }

  #onUserTurn(text: string, source: 'speech' | 'text'): void {
    if (source !== 'speech') return;
    const itemId = this.#pendingUserItems.shift();
    if (itemId === undefined) return;
    this.#send(
      this.#ev.event('conversation.item.input_audio_transcription.delta', {
        item_id: itemId,
        content_index: 0,
        delta: text,
      }),
    );
    this.#send(
      this.#ev.event('conversation.item.input_audio_transcription.completed', {
        item_id: itemId,
        content_index: 0,
        transcript: text,
      }),
    );
  }

  #created(item: Record<string, unknown>): void {
    for (const e of this.#ev.itemCreated(item, this.#lastItemId)) this.#send(e);
    this.#lastItemId = String(item.id);
  }

  #unknown(message: string, eventId: string | undefined, param: string): void {
    this.#send(this.#ev.error('realtime_unknown_item', message, eventId, param));
  }

  #send(event: ServerEvent): void {
    this.#o.connection.send(event);
  }
}

function mergeFormat(current: RealtimeAudioSpec, update: AudioFormatUpdate): RealtimeAudioSpec {
  if (update.format !== 'pcm16') return { format: update.format, rateHz: 8000 };
  const rateHz = update.rateHz ?? (current.format === 'pcm16' ? current.rateHz : 24000);
  return { format: 'pcm16', rateHz };
}

/** function_call_output is text; JSON text reaches the model (and the transcript) as the value it encodes. */
function parseOutput(output: string): unknown {
  try {
    return JSON.parse(output);
  } catch {
    return output;
  }
}
