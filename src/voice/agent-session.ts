import { fillPromptVariables } from '../agents/prompt-variables';
import type { ChatMessage, ChatToolCall } from './llm/llm';
import { Pipeline } from './pipeline/pipeline';
import type { Frame } from './pipeline/frames';
import { SentenceAggregator } from './pipeline/sentence-aggregator';
import { TtsProcessor } from './pipeline/tts-processor';
import { runResponse, type ActiveResponse } from './response-runner';
import {
  DEFAULT_MAX_HOLD_SECONDS,
  DEFAULT_TIMINGS,
  type AgentSessionOptions,
  type AgentTimings,
} from './session-options';
import { SpokenTurns } from './spoken-turns';
import { runToolCall, toolSpecsFor } from './tool-call-runner';
import type { AgentTool } from './tools/agent-tool';
import type { ToolEffect } from './tools/tool-dispatcher';
import { OwnerActions } from './tools/owner-actions';
import type { AgentSessionEvents, EndReason, TranscriptTurn, TurnMetrics } from './session-events';
import { Endpointer, type EndpointEvent } from './turn/endpointer';
import { OutputPacer } from './turn/output-pacer';
import { IntervalTicker, type Ticker } from './turn/ticker';
import type { VadProvider } from './vad/vad';
import { TypedEmitter } from './typed-emitter';
import { ConversationLog } from './turn/conversation-log';
import {
  GREETING_INSTRUCTION,
  LLM_FALLBACK,
  NUDGE_INSTRUCTION,
  STT_FALLBACK,
  generateAcknowledgement,
} from './turn/instructions';
import { TurnLatency } from './turn/turn-latency';
import { dueTimers } from './turn/due-timers';
import { DtmfCollector } from './dtmf-collector';
import { InflightWork } from './inflight-work';
import { TurnMetricsLog } from './turn-metrics-log';

/**
 * One conversation of the voice agent. See src/voice/index.ts for the owner-facing contract.
 * Audio in → VAD → endpointing → STT → LLM (tools) → output pipeline (sentences → TTS) → paced
 * audio out, with barge-in, speak order, nudges, silence/hold timeouts and acknowledgements.
 */
export class AgentSession extends TypedEmitter<AgentSessionEvents> {
  readonly #o: AgentSessionOptions;
  readonly #t: AgentTimings;
  readonly #ticker: Ticker;
  readonly #pipeline: Pipeline;
  readonly #tts: TtsProcessor;
  readonly #pacer: OutputPacer;
  readonly #endpointer: Endpointer;
  readonly #log: ConversationLog;
  readonly #httpTools = new Map<string, AgentTool>();
  readonly #spoken = new SpokenTurns(() => ++this.#seq);
  readonly #work = new InflightWork();
  readonly #metrics = new TurnMetricsLog();
  #vad: VadProvider | undefined;
  #prewarm: Promise<void> | undefined;
  #startMono: number | undefined;
  #nowMs = 0;
  #response: ActiveResponse | undefined;
  #responseSeq = 0;
  /** Creation order of transcript entries: the transcript lists turns in the order they happened. */
  #seq = 0;
  #userChain: Promise<void> = Promise.resolve();
  #lastActivityMs = 0;
  #nudged = false;
  #holdUntilMs: number | undefined;
  #ackText: string | undefined;
  readonly #dtmf = new DtmfCollector();
  #failures = 0;
  #ended = false;
  #wasSpeaking = false;
  #endCallRequested = false;
  readonly #speechWaiters: (() => void)[] = [];
  readonly #actions = new OwnerActions((a) => this.emit('action', a));

  constructor(options: AgentSessionOptions) {
    super((err) => options.log.error({ err }, 'agent session listener failed'));
    this.#o = options;
    this.#t = { ...DEFAULT_TIMINGS, ...options.timings };
    this.#ticker = options.ticker ?? new IntervalTicker(options.clock);
    const prompt = fillPromptVariables(options.config.prompt, options.config.variables);
    this.#log = new ConversationLog(prompt, () => ++this.#seq);
    for (const t of options.config.tools ?? []) this.#httpTools.set(t.function.name, t);
    this.#endpointer = new Endpointer(this.#t);
    this.#pacer = new OutputPacer(
      this.#t.outputLeadFrames,
      (pcm) => this.emit('audio', pcm),
      () => this.#nowMs,
    );
    this.#tts = new TtsProcessor(options.providers.tts, () => options.config.voice);
    this.#tts.onFirstAudio = (roundId) => this.#onFirstAudio(roundId);
    this.#pipeline = new Pipeline(
      [new SentenceAggregator(), this.#tts],
      (f) => this.#onOutput(f),
      (f) => this.#onUpstream(f),
    );
    if (typeof options.providers.vad !== 'function') this.#vad = options.providers.vad;
  }

  /** Loads the VAD, generates the acknowledgement (auto mode) and, for agent_first, the greeting. */
  prewarm(): Promise<void> {
    this.#prewarm ??= this.#track(this.#doPrewarm());
    return this.#prewarm;
  }

  /** The call was answered: audio starts flowing both ways. */
  async start(): Promise<void> {
    if (this.#startMono !== undefined || this.#ended) return;
    this.#startMono = this.#o.clock.monotonicMs();
    this.#nowMs = 0;
    this.#pacer.activate();
    this.#ticker.start(() => this.#tick());
    await this.prewarm();
  }

  pushAudio(frame: Int16Array): void {
    if (this.#startMono === undefined || this.#ended || !this.#vad) return;
    // Durations inside the endpointer count frames; only the turn's position uses the clock.
    for (const ev of this.#endpointer.push(frame, this.#vad.isSpeech(frame), this.#sessionMs())) this.#onEndpoint(ev);
  }

  /** A keypad digit from the caller (RFC 4733); collected and handed to the model as text. */
  pushDtmf(digit: string): void {
    if (this.#startMono === undefined || this.#ended) return;
    if (this.#dtmf.push(digit, this.#sessionMs())) this.#flushDtmf();
  }

  /** Turns relative to the call start (thunderphone-api.md §4.4), assistant turns cut to what was played. */
  transcript(): TranscriptTurn[] {
    const entries = [...this.#log.turns, ...this.#spoken.transcriptEntries()];
    return entries.sort((a, b) => a.seq - b.seq).map((e) => e.turn);
  }

  /** Latency metrics of every answered caller turn so far. */
  metrics(): TurnMetrics[] {
    return this.#metrics.all();
  }

  /** The LLM conversation so far (system prompt first). */
  history(): readonly ChatMessage[] {
    return this.#log.messages;
  }

  /** Resolves when no provider request or pipeline work is pending (tests and benchmarks). */
  whenIdle(): Promise<void> {
    return this.#work.whenIdle(this.#pipeline);
  }

  /** Stops everything (idempotent); the transcript stays readable. */
  async stop(): Promise<void> {
    this.#finish();
    await this.#pipeline.idle().catch(() => undefined);
  }

  // ---- input side -------------------------------------------------------------------------

  #onEndpoint(ev: EndpointEvent): void {
    this.#lastActivityMs = this.#nowMs;
    if (ev.type === 'speech_started') {
      this.#nudged = false;
      if (this.#holdUntilMs === undefined && (this.#pacer.speaking || this.#response || this.#pipeline.busy))
        this.#interrupt();
      return;
    }
    const endedMono = this.#o.clock.monotonicMs();
    this.#userChain = this.#userChain.then(() => this.#track(this.#onUtterance(ev, endedMono))).catch(() => undefined);
  }

  async #onUtterance(ev: Extract<EndpointEvent, { type: 'speech_ended' }>, detectedMono: number): Promise<void> {
    if (this.#ended) return;
    let text: string;
    try {
      text = await this.#o.providers.stt.transcribe(ev.audio, {
        sampleRateHz: 8000,
        language: this.#o.config.language,
        signal: AbortSignal.timeout(this.#t.sttTimeoutMs),
      });
    } catch (err) {
      this.#report('stt', err);
      if (!this.#countFailure()) this.#say(STT_FALLBACK);
      return;
    }
    if (text === '' || this.#ended) return;
    this.#log.user(text, ev.startMs, ev.endMs);
    const latency = new TurnLatency(this.#o.clock, this.#metrics.nextTurn, ev.silenceWaitedMs, detectedMono);
    latency.sttDone();
    // The caller already started talking again: answer once, after that utterance too.
    if (this.#endpointer.inSpeech) return;
    this.#respond(undefined, latency);
  }

  #flushDtmf(): void {
    const digits = this.#dtmf.take();
    if (digits === '') return;
    this.#lastActivityMs = this.#nowMs;
    this.#nudged = false;
    if (this.#pacer.speaking || this.#response || this.#pipeline.busy) this.#interrupt();
    this.#log.userDtmf(digits, this.#dtmf.lastDigitMs);
    this.#respond();
  }

  // ---- responses ------------------------------------------------------------------------------

  /** Starts an LLM response (replacing any in flight). `instruction` adds a one-off system message. */
  #respond(instruction?: string, latency?: TurnLatency): void {
    if (this.#ended) return;
    this.#response?.abort.abort();
    const r: ActiveResponse = {
      id: ++this.#responseSeq,
      abort: new AbortController(),
      startedMs: this.#nowMs,
      hasText: false,
      acked: false,
      latency,
    };
    this.#response = r;
    void this.#track(this.#runResponse(r, instruction)).finally(() => {
      if (this.#response === r) this.#response = undefined;
    });
  }

  #runResponse(r: ActiveResponse, instruction: string | undefined): Promise<void> {
    return runResponse(
      {
        llm: this.#o.providers.llm,
        maxToolRounds: this.#t.maxToolRounds,
        log: this.#log,
        pipeline: this.#pipeline,
        tools: toolSpecsFor(this.#httpTools),
        newRound: () => this.#spoken.newRound(),
        trackLatency: (roundId, latency) => this.#metrics.track(roundId, latency),
        clearHold: () => void (this.#holdUntilMs = undefined),
        succeeded: () => void (this.#failures = 0),
        runTool: (call) => this.#runTool(call),
        endCallAfterSpeech: () => {
          // Hang up only after the goodbye has been played (checked on the 20 ms tick).
          this.#endCallRequested = true;
          this.#speechWaiters.push(() => {
            if (!this.#ended) this.emit('action', { type: 'end_call', reason: 'agent_end' });
          });
        },
        isEnded: () => this.#ended,
        failed: (err) => {
          this.#report('llm', err);
          // A failed greeting leaves the line to the caller; a failed answer apologizes.
          if (!this.#countFailure() && instruction !== GREETING_INSTRUCTION) this.#say(LLM_FALLBACK);
        },
      },
      r,
      instruction,
    );
  }

  #runTool(call: ChatToolCall): Promise<ToolEffect> {
    const hold = (): number => {
      const max = this.#o.config.maxHoldSeconds ?? DEFAULT_MAX_HOLD_SECONDS;
      this.#holdUntilMs ??= this.#nowMs + max * 1000;
      return max;
    };
    const http = {
      http: this.#o.toolHttp,
      callId: this.#o.callId,
      signingSecret: this.#o.signingSecret,
      timeoutMs: this.#t.toolTimeoutMs,
    };
    return runToolCall(call, {
      httpTools: this.#httpTools,
      actions: this.#actions,
      hold,
      http,
      log: this.#log,
      nowMs: () => this.#nowMs,
      onAudit: (audit) => this.emit('toolCall', audit),
    });
  }

  /** Speaks a fixed line (fallbacks, acknowledgement) without the LLM. */
  #say(text: string, remember = true, seq?: number): void {
    const roundId = this.#spoken.newRound(seq);
    this.#pipeline.push({ type: 'text', responseId: roundId, text });
    this.#pipeline.push({ type: 'flush', responseId: roundId });
    if (remember) this.#log.assistant(roundId, text, []);
  }

  /** Barge-in: silence the agent now, cancel LLM/TTS work, keep only what was heard. */
  #interrupt(): void {
    this.#response?.abort.abort();
    this.#response = undefined;
    this.#pipeline.interrupt();
    const dropped = this.#pacer.clear();
    this.emit('interrupt');
    this.#spoken.closeAll(this.#log);
    this.#o.log.debug({ callId: this.#o.callId, droppedFrames: dropped }, 'barge-in');
  }

  // ---- output side ------------------------------------------------------------------------------

  #onOutput(f: Frame): void {
    if (!this.#ended) this.#spoken.onOutput(f, this.#pacer);
  }

  #onUpstream(f: Frame): void {
    if (f.type === 'error') this.#report(f.source, f.error, f.fatal);
  }

  #onFirstAudio(roundId: number): void {
    const m = this.#metrics.firstAudio(roundId);
    if (m) this.emit('metrics', m);
  }

  // ---- time ----------------------------------------------------------------------------------

  #tick(): void {
    if (this.#ended) return;
    this.#nowMs = this.#sessionMs();
    this.#pacer.tick();
    const speaking = this.#pacer.speaking || this.#pipeline.busy;
    if (this.#wasSpeaking && !speaking) this.#lastActivityMs = this.#nowMs;
    this.#wasSpeaking = speaking;
    if (!speaking) for (const w of this.#speechWaiters.splice(0)) w();
    const r = this.#response;
    const state = {
      nowMs: this.#nowMs,
      agentSpeaking: speaking,
      callerSpeaking: this.#endpointer.inSpeech,
      busy: this.#work.busy,
      response: r && {
        startedMs: r.startedMs,
        hasText: r.hasText,
        acked: r.acked,
        answersCaller: r.latency !== undefined,
      },
      hasAcknowledgement: this.#ackText !== undefined,
      lastActivityMs: this.#lastActivityMs,
      nudged: this.#nudged,
      holdUntilMs: this.#holdUntilMs,
      dtmfPending: this.#dtmf.pending,
      lastDigitMs: this.#dtmf.lastDigitMs,
      endCallRequested: this.#endCallRequested,
    };
    for (const due of dueTimers(state, this.#t)) {
      if (due === 'flush_dtmf') this.#flushDtmf();
      else if (due === 'acknowledge' && r && this.#ackText) {
        r.acked = true;
        // The filler comes before the answer it covers for, in the transcript too.
        const answer = r.roundId === undefined ? undefined : this.#spoken.get(r.roundId);
        this.#say(this.#ackText, false, answer ? answer.seq - 0.5 : undefined);
      } else if (due === 'hold_timeout' || due === 'silence_timeout') this.#end('timeout');
      else if (due === 'nudge') {
        this.#nudged = true;
        this.#respond(NUDGE_INSTRUCTION);
      }
    }
  }

  #sessionMs(): number {
    return this.#startMono === undefined ? 0 : this.#o.clock.monotonicMs() - this.#startMono;
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async #doPrewarm(): Promise<void> {
    const vad = this.#o.providers.vad;
    if (!this.#vad && typeof vad === 'function') this.#vad = await vad();
    const c = this.#o.config;
    if (c.product.endsWith('-with-ack')) {
      this.#ackText =
        c.acknowledgementPromptMode === 'manual' && c.acknowledgementPrompt?.trim()
          ? c.acknowledgementPrompt.trim()
          : await generateAcknowledgement(this.#o.providers.llm, this.#log.messages[0]!.content ?? '', (err) =>
              this.#report('llm', err),
            );
    }
    if (c.speakOrder === 'agent_first') {
      this.#respond(GREETING_INSTRUCTION);
      const r = this.#response;
      // Wait until the greeting's first audio exists, so start() can play it at once.
      while (r && this.#response === r && !this.#pacer.speaking && !this.#ended)
        await new Promise((res) => setTimeout(res, 2));
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
    this.#response?.abort.abort();
    this.#pipeline.interrupt();
    this.#pacer.clear();
    this.#vad?.close();
    this.#speechWaiters.length = 0;
    this.#actions.close();
  }

  #track<T>(p: Promise<T>): Promise<T> {
    return this.#work.track(p);
  }
}
