import { fillPromptVariables } from '../agents/prompt-variables';
import { AppError } from '../shared/errors';
import { TypedEmitter } from '../shared/typed-emitter';
import type { AgentOutput } from './agent-output';
import { InflightWork } from './inflight-work';
import type { ResponseRunner } from './response-runner';
import type { AgentSessionEvents, EndReason, TranscriptTurn, TurnMetrics } from './session-events';
import { DEFAULT_TIMINGS, type AgentSessionOptions, type AgentTimings } from './session-options';
import { createSessionOwners } from './session-owners';
import { SessionTime } from './session-time';
import type { ToolCallRunner } from './tool-call-runner';
import { ConversationLog } from './turn/conversation-log';
import { ConversationTimers } from './turn/conversation-timers';
import type { TimerDecision } from './turn/due-timers';
import {
  GREETING_INSTRUCTION,
  LLM_FALLBACK,
  NUDGE_INSTRUCTION,
  STT_FALLBACK,
  generateAcknowledgement,
} from './turn/instructions';
import { Ticker } from './turn/ticker';
import { TurnLatency } from './turn/turn-latency';
import type { TurnTaking } from './turn/turn-taking';
import type { CallerTurn } from './turn/caller-turn';
import { spokenWords } from './turn/backchannel-words';
import { TurnMetricsLog } from './turn-metrics-log';

const spokenWordCount = (text: string): number => spokenWords(text).length;

/** How long stop() waits for the words of an utterance cut short by the hang-up. */
const CLOSING_TRANSCRIPT_TIMEOUT_MS = 1500;

/**
 * One conversation of the voice agent. See src/voice/index.ts for the owner-facing contract.
 * Composes the owners of the conversation's state and joins their events:
 *   TurnTaking (VAD, endpointer, barge-in policy, STT, keypad) → ResponseRunner (the answer in
 *   flight, LLM rounds, tools via ToolCallRunner, acknowledgement) → AgentOutput (sentences →
 *   TTS → paced audio, what was played) — with ConversationLog (LLM context, transcript),
 *   ConversationTimers (nudge, silence, hold) and TurnMetricsLog, all on one 20 ms Ticker.
 * The session itself only keeps its lifecycle (prewarm, ended) and the consecutive-failure count.
 */
export class AgentSession extends TypedEmitter<AgentSessionEvents> {
  readonly #o: AgentSessionOptions;
  readonly #t: AgentTimings;
  readonly #time: SessionTime;
  readonly #ticker: Ticker;
  readonly #work = new InflightWork();
  readonly #metrics = new TurnMetricsLog();
  readonly #log: ConversationLog;
  readonly #timers: ConversationTimers;
  readonly #output: AgentOutput;
  readonly #tools: ToolCallRunner;
  readonly #responses: ResponseRunner;
  readonly #turns: TurnTaking;
  #prewarm: Promise<void> | undefined;
  #ended = false;
  #failures = 0;
  #responseSeq = 0;
  /** Responses not yet reported done (responseDone), by id. */
  readonly #openResponses = new Set<number>();
  /** The response whose generation is running (client tool calls belong to it). */
  #generating: number | undefined;

  /** leaveMessage() is speaking to an answering machine: caller audio is not listened to. */
  #leavingMessage = false;

  constructor(options: AgentSessionOptions) {
    const onListenerError = (err: unknown): void => options.log.error({ err }, 'agent session listener failed');
    super(onListenerError);
    this.#o = options;
    const t = (this.#t = { ...DEFAULT_TIMINGS, ...options.timings });
    const { config, clock } = options;
    const time = (this.#time = new SessionTime(clock));
    this.#ticker = new Ticker(clock, options.timers);
    const log = (this.#log = new ConversationLog(fillPromptVariables(config.prompt, config.variables)));
    this.#timers = new ConversationTimers(t);
    const owners = createSessionOwners(options, t, {
      time,
      log,
      timers: this.#timers,
      metrics: this.#metrics,
      work: this.#work,
      nextResponseId: () => ++this.#responseSeq,
      onListenerError,
    });
    this.#output = owners.output;
    this.#tools = owners.tools;
    this.#responses = owners.responses;
    this.#turns = owners.turns;
    this.#wire();
  }

  /** Loads the VAD, generates the acknowledgement (auto mode) and, for agent_first, the greeting. */
  prewarm(): Promise<void> {
    this.#prewarm ??= this.#work.track(this.#doPrewarm());
    return this.#prewarm;
  }

  /** The call was answered: audio starts flowing both ways. */
  async start(): Promise<void> {
    if (this.#time.started || this.#ended) return;
    this.#startClock();
    await this.prewarm();
  }

  /** The conversation's clock starts: session time, the output, the 20 ms tick. */
  #startClock(): void {
    this.#time.start();
    this.#output.activate();
    this.#ticker.start(() => this.#tick());
  }

  pushAudio(frame: Int16Array): void {
    // While a voicemail message plays, the machine only records: nothing it sends is a turn or a barge-in.
    if (this.#time.started && !this.#ended && !this.#leavingMessage) this.#turns.pushAudio(frame);
  }

  /** A keypad digit from the caller (RFC 4733); collected and handed to the model as text. */
  pushDtmf(digit: string): void {
    if (this.#time.started && !this.#ended) this.#turns.pushDtmf(digit);
  }

  // ---- the conversation driven by its owner (the realtime WebSocket) ---------------------------

  /** Text from the user (a typed message): joins the conversation; no answer until respondNow(). */
  addUserText(text: string): void {
    if (this.#ended) return;
    this.#tools.settleClientCalls();
    const atMs = this.#time.started ? this.#time.liveMs() : 0;
    this.#log.user(text, atMs, atMs);
    this.emit('userTurn', { text, startMs: atMs, endMs: atMs, source: 'text' });
  }

  /**
   * Speech the owner delimited itself (the realtime client commits its turns): transcribed and
   * added as a user turn; no answer until respondNow(). Resolves with the text ('' = nothing heard).
   */
  async addUserSpeech(audio: Int16Array, startMs: number, endMs: number): Promise<string> {
    if (this.#ended || audio.length === 0) return '';
    const stt = this.#o.providers.stt;
    // Committed turns are transcribed whole; a streaming-only STT configuration has no upload endpoint.
    if (!stt)
      throw new AppError(
        'agent_not_configured',
        'STT_BASE_URL is not set: committed audio turns need the per-utterance speech-to-text endpoint.',
      );
    const text = await this.#work.track(
      stt.transcribe(audio, {
        sampleRateHz: 8000,
        language: this.#o.config.language,
        signal: AbortSignal.timeout(this.#t.sttTimeoutMs),
      }),
    );
    if (text === '' || this.#ended) return '';
    this.#tools.settleClientCalls();
    this.#log.user(text, startMs, endMs);
    this.emit('userTurn', { text, startMs, endMs, source: 'speech' });
    return text;
  }

  /** Session ms now (0 before start()). */
  get nowMs(): number {
    return this.#time.started ? this.#time.liveMs() : 0;
  }

  /**
   * Voicemail (`voicemail_action: leave_message`): instead of the greeting (a prepared one is
   * dropped unheard), speaks `text` once the answering machine is recording, and resolves when it
   * has been played out to the line (or at once when the session is over). The words are in the
   * transcript and the context like any agent line.
   */
  async leaveMessage(text: string): Promise<void> {
    if (this.#ended) return;
    this.#leavingMessage = true;
    await this.prewarm().catch(() => undefined);
    if (this.#ended) return;
    this.#responses.cancel();
    this.#output.interrupt();
    for (const id of [...this.#openResponses]) this.#responseDone(id, 'cancelled');
    if (!this.#time.started) this.#startClock();
    this.#sayLine(text);
    // Synthesis is asynchronous: wait for the message's first audio, then for the end of its playout.
    await this.#output.whenAudioQueued();
    if (this.#ended) return;
    await new Promise<void>((resolve) => {
      this.#output.afterPlayout(resolve);
      this.once('ended', () => resolve());
    });
  }

  /** Answers now (replacing an answer in flight); `instructions` add a one-off system message. */
  respondNow(instructions?: string): void {
    if (this.#ended) return;
    this.#tools.settleClientCalls();
    void this.#responses.respond(instructions);
  }

  /** Stops the answer in flight and its audio, as a barge-in does. */
  cancelResponse(): void {
    if (!this.#ended) this.#interrupt();
  }

  /** Tools the owner's client runs itself (realtime `session.update` tools), shown to the model. */
  setClientTools(tools: readonly { name: string; description: string; parameters: Record<string, unknown> }[]): void {
    this.#tools.setClientTools(tools.map((t) => ({ type: 'function', function: t })));
  }

  /** The client's output for one of its tool calls; false when the call id is unknown or answered. */
  submitToolOutput(callId: string, output: unknown): boolean {
    return this.#tools.submitClientOutput(callId, output);
  }

  /** Turns relative to the call start (thunderphone-api.md §4.4), assistant turns cut to what was played. */
  transcript(): TranscriptTurn[] {
    const entries = [...this.#log.turns, ...this.#output.transcriptEntries()];
    return entries.sort((a, b) => a.seq - b.seq).map((e) => e.turn);
  }

  /** Latency metrics of every answered caller turn so far. */
  metrics(): TurnMetrics[] {
    return this.#metrics.all();
  }

  /** Resolves when no provider request or pipeline work is pending (tests and benchmarks). */
  whenIdle(): Promise<void> {
    return this.#work.whenIdle(this.#output);
  }

  /**
   * Stops everything (idempotent); the transcript stays readable. Words the caller was still
   * saying (a hang-up mid-sentence) are transcribed first and kept in the transcript.
   */
  async stop(): Promise<void> {
    if (!this.#ended) await this.#turns.flush(CLOSING_TRANSCRIPT_TIMEOUT_MS).catch(() => undefined);
    this.#finish();
    await this.#output.idle().catch(() => undefined);
  }

  // ---- how the owners talk ----------------------------------------------------------------------

  #wire(): void {
    const turns = this.#turns;
    const responses = this.#responses;
    const timers = this.#timers;
    turns.on('callerActivity', (kind) => timers.callerActivity(kind, this.#time.nowMs));
    turns.on('callerSpeech', (state, agoMs) =>
      this.emit('callerSpeech', { state, atMs: Math.max(0, this.#time.liveMs() - agoMs), agoMs }),
    );
    turns.on('bargeIn', () => this.#interrupt());
    // The agent went on speaking; the words stay out of the context and the transcript.
    turns.on('backchannel', (text) =>
      this.#o.log.debug({ callId: this.#o.callId, words: spokenWordCount(text) }, 'backchannel ignored'),
    );
    turns.on('callerTurn', (turn) => this.#onCallerTurn(turn));
    turns.on('prepare', (text) => responses.prepare(text));
    turns.on('discardPrepared', () => responses.discardPrepared());
    turns.on('sttWarning', (err) => this.#report('stt', err));
    turns.on('keypad', (digits, atMs) => {
      this.#log.userDtmf(digits, atMs);
      void responses.respond();
    });
    turns.on('sttFailed', (err) => {
      this.#report('stt', err);
      if (!this.#countFailure()) this.#sayLine(STT_FALLBACK);
    });
    responses.on('spoke', () => timers.leaveHold());
    responses.on('roundDone', () => void (this.#failures = 0));
    responses.on('failed', (err, instruction) => {
      this.#report('llm', err);
      // A failed greeting leaves the line to the caller; a failed answer apologizes.
      if (!this.#countFailure() && instruction !== GREETING_INSTRUCTION) this.#sayLine(LLM_FALLBACK);
    });
    responses.on('started', (id) => {
      this.#openResponses.add(id);
      this.#generating = id;
      this.emit('responseStarted', id);
    });
    responses.on('text', (id, delta) => this.emit('responseText', id, delta));
    responses.on('finished', (id, status) => {
      if (this.#generating === id) this.#generating = undefined;
      // A completed answer is done once what it says has been played.
      if (status === 'completed') this.#output.afterPlayout(() => this.#responseDone(id, 'completed'));
      else this.#responseDone(id, status);
    });
    this.#tools.on('clientCall', (call) => {
      if (this.#generating !== undefined) this.emit('clientToolCall', this.#generating, call);
    });
    responses.on('endCall', () => {
      // Hang up only after the goodbye has been played.
      timers.endCallRequested();
      this.#output.afterPlayout(() => this.emit('action', { type: 'end_call', reason: 'agent_end' }));
    });
    this.#tools.on('action', (a) => this.emit('action', a));
    this.#tools.on('audit', (audit) => this.emit('toolCall', audit));
    this.#tools.on('hold', (maxSeconds) => timers.enterHold(this.#time.nowMs, maxSeconds));
    this.#output.on('audio', (pcm) => this.emit('audio', pcm));
    this.#output.on('firstAudio', (roundId) => {
      const m = this.#metrics.firstAudio(roundId);
      if (!m) return;
      m.agentStartMs = Math.round(this.#output.roundStartMs(roundId) ?? this.#time.liveMs());
      // One line per answered turn with the latency split (no words: the transcript stays out of logs).
      this.#o.log.info({ callId: this.#o.callId, ...m }, 'caller turn answered');
      this.emit('metrics', m);
    });
    this.#output.on('error', (source, error, fatal) => this.#report(source, error, fatal));
  }

  /** A fixed line (fallbacks) as a response of its own: remembered in the context, done after playout. */
  #sayLine(text: string): void {
    const id = ++this.#responseSeq;
    this.#openResponses.add(id);
    this.emit('responseStarted', id);
    this.emit('responseText', id, text);
    this.#output.say(text, { remember: true });
    this.#output.afterPlayout(() => this.#responseDone(id, 'completed'));
  }

  #responseDone(id: number, status: 'completed' | 'cancelled' | 'failed'): void {
    if (!this.#openResponses.delete(id)) return;
    this.emit('responseDone', id, status);
  }

  #onCallerTurn(turn: CallerTurn): void {
    if (this.#ended) return;
    this.#tools.settleClientCalls();
    this.#log.user(turn.text, turn.startMs, turn.endMs);
    this.emit('userTurn', { text: turn.text, startMs: turn.startMs, endMs: turn.endMs, source: 'speech' });
    const latency = new TurnLatency(this.#o.clock, this.#metrics.nextTurn, turn.silenceWaitedMs, turn.detectedMono);
    latency.sttDone(turn.transcribedMono);
    if (turn.answerNow) void this.#responses.respond(undefined, latency);
  }

  /** Barge-in: silence the agent now, cancel LLM/TTS work, keep only what was heard. */
  #interrupt(): void {
    this.#responses.cancel();
    const dropped = this.#output.interrupt();
    for (const id of [...this.#openResponses]) this.#responseDone(id, 'cancelled');
    this.emit('interrupt');
    this.#o.log.debug({ callId: this.#o.callId, droppedFrames: dropped }, 'barge-in');
  }

  #tick(): void {
    if (this.#ended) return;
    this.#time.tick();
    this.#output.tick();
    if (this.#ended) return;
    const due = this.#timers.tick(this.#time.nowMs, {
      agentSpeaking: this.#output.speaking,
      callerSpeaking: this.#turns.callerSpeaking,
      busy: this.#work.busy,
      response: this.#responses.timerView,
      hasAcknowledgement: this.#responses.hasAcknowledgement,
      dtmfPending: this.#turns.dtmfPending,
      lastDigitMs: this.#turns.lastDigitMs,
    });
    for (const d of due) this.#onDue(d);
  }

  #onDue(due: TimerDecision): void {
    if (due === 'flush_dtmf') this.#turns.flushDtmf();
    else if (due === 'acknowledge') this.#responses.acknowledge();
    else if (due === 'hold_timeout' || due === 'silence_timeout') this.#end('timeout');
    else void this.#responses.respond(NUDGE_INSTRUCTION);
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async #doPrewarm(): Promise<void> {
    await this.#turns.prewarm();
    const c = this.#o.config;
    if (c.product.endsWith('-with-ack')) {
      const manual = c.acknowledgementPromptMode === 'manual' ? c.acknowledgementPrompt?.trim() : undefined;
      this.#responses.useAcknowledgement(
        manual ||
          (await generateAcknowledgement(this.#o.providers.llm, this.#log.messages[0]!.content ?? '', (err) =>
            this.#report('llm', err),
          )),
      );
    }
    if (c.speakOrder === 'agent_first' && !this.#ended) {
      // Wait until the greeting's first audio exists (or the greeting is over), so start() plays it at once.
      const greeting = this.#responses.respond(GREETING_INSTRUCTION);
      // stop() settles both (the output wakes its waiters, the answer is aborted).
      await Promise.race([greeting, this.#output.whenAudioQueued()]);
    }
  }

  #report(source: string, err: unknown, fatal = false): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.#o.log.warn({ callId: this.#o.callId, source, err: error }, 'agent provider failed');
    this.emit('error', { source, error, fatal });
    if (fatal) this.#end('error');
  }

  /** Counts a failed turn; true when too many in a row ended the conversation. */
  #countFailure(): boolean {
    this.#failures += 1;
    if (this.#failures < this.#t.maxConsecutiveFailures) return false;
    this.#end('error');
    return true;
  }

  #end(reason: EndReason): void {
    if (this.#ended) return;
    this.#finish();
    this.emit('ended', { reason });
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#ticker.stop();
    this.#responses.close();
    this.#output.close();
    this.#turns.close();
    this.#tools.close();
  }
}
