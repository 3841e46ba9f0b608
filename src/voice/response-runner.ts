import { TypedEmitter } from '../shared/typed-emitter';
import type { AgentOutput } from './agent-output';
import type { InflightWork } from './inflight-work';
import { BufferedLlmStream } from './llm/buffered-llm-stream';
import type { PreparedClause } from './pipeline/prepared-clause';
import type { ChatToolCall, LlmEvent, LlmProvider } from './llm/llm';
import type { SessionTime } from './session-time';
import type { ToolCallRunner } from './tool-call-runner';
import type { ToolEffect } from './tools/tool-dispatcher';
import type { ConversationLog } from './turn/conversation-log';
import type { TimerState } from './turn/due-timers';
import type { TurnLatency } from './turn/turn-latency';
import { sameWords } from './turn/turn-completeness';
import type { TurnMetricsLog } from './turn-metrics-log';

/** One answer in flight (a "speech handle"): its LLM rounds share the abort signal. */
interface AgentResponse {
  readonly abort: AbortController;
  readonly startedMs: number;
  /** The caller turn it answers (none for greetings and nudges). */
  readonly latency: TurnLatency | undefined;
  hasText: boolean;
  acked: boolean;
  /** The LLM round being generated. */
  roundId?: number;
}

/** A reply started for the caller's words before their turn was over. */
interface PreparedReply {
  /** The caller's words it answers. */
  readonly text: string;
  /** The context length it was started on (the caller's words not yet in it). */
  readonly baseLength: number;
  readonly abort: AbortController;
  readonly stream: BufferedLlmStream;
  /** Its first clause, synthesized ahead of time (unless turned off). */
  readonly clause: PreparedClause | undefined;
}

/** How an answer ended: all generated, stopped (barge-in, cancel, replaced) or the LLM failed. */
export type ResponseStatus = 'completed' | 'cancelled' | 'failed';

export interface ResponseRunnerEvents {
  /** An answer started (its id is the session's response id). */
  started: (responseId: number) => void;
  /** Text of the answer as the model streams it. */
  text: (responseId: number, delta: string) => void;
  /** The answer's generation is over (its audio may still be playing). */
  finished: (responseId: number, status: ResponseStatus) => void;
  /** The model produced text: the agent speaks again (a hold ends). */
  spoke: () => void;
  /** An LLM round went through (the consecutive-failure count resets). */
  roundDone: () => void;
  /** The LLM failed (not by our own abort). */
  failed: (err: unknown, instruction: string | undefined) => void;
  /** end_call: hang up once the goodbye has been played. */
  endCall: () => void;
}

export interface ResponseRunnerOptions {
  llm: LlmProvider;
  maxToolRounds: number;
  /** Synthesize a prepared reply's first clause ahead of time too (played if the reply is adopted). */
  prepareAudio: boolean;
  log: ConversationLog;
  output: AgentOutput;
  tools: ToolCallRunner;
  metrics: TurnMetricsLog;
  work: InflightWork;
  time: SessionTime;
  /** Response ids, shared with the session's fixed lines. */
  nextResponseId: () => number;
  onListenerError: (err: unknown) => void;
}

/**
 * The agent's answers: at most one in flight. Streams the model's answer into the output round
 * by round: text goes out as it comes, tool calls run after the round, and the next round sees
 * their results (up to maxToolRounds). Owns the acknowledgement filler of `*-with-ack` products.
 */
export class ResponseRunner extends TypedEmitter<ResponseRunnerEvents> {
  readonly #o: ResponseRunnerOptions;
  #current: AgentResponse | undefined;
  #acknowledgement: string | undefined;
  #prepared: PreparedReply | undefined;
  #closed = false;

  constructor(options: ResponseRunnerOptions) {
    super(options.onListenerError);
    this.#o = options;
  }

  /** An answer is being generated. */
  get active(): boolean {
    return this.#current !== undefined;
  }

  /** The answer in flight, as the timer rules see it. */
  get timerView(): TimerState['response'] {
    const r = this.#current;
    return r && { startedMs: r.startedMs, hasText: r.hasText, acked: r.acked, answersCaller: r.latency !== undefined };
  }

  get hasAcknowledgement(): boolean {
    return this.#acknowledgement !== undefined;
  }

  /** The filler spoken while a slow answer to the caller is on its way. */
  useAcknowledgement(text: string): void {
    this.#acknowledgement = text;
  }

  /**
   * Starts an answer, replacing any in flight. `instruction` adds a one-off system message;
   * `latency` is the caller turn it answers. Resolves when the answer is done (or cancelled).
   */
  respond(instruction?: string, latency?: TurnLatency): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#current?.abort.abort();
    const r: AgentResponse = {
      abort: new AbortController(),
      startedMs: this.#o.time.nowMs,
      latency,
      hasText: false,
      acked: false,
    };
    this.#current = r;
    const id = this.#o.nextResponseId();
    this.emit('started', id);
    const run = this.#run(r, instruction, id).then((status) => this.emit('finished', id, status));
    return this.#o.work.track(run).finally(() => {
      if (this.#current === r) this.#current = undefined;
    });
  }

  /**
   * Starts the LLM on the caller's words while they pause (replacing any reply prepared before).
   * Nothing reaches the output: `respond` takes it when the turn ends with exactly these words in
   * the context, `discardPrepared` (the caller went on) drops it unheard. With `prepareAudio`, its
   * first clause is synthesized as soon as it is complete, into a buffer played only on adoption.
   */
  prepare(userText: string): void {
    if (this.#closed) return;
    this.discardPrepared();
    const { llm, log, tools, work, output } = this.#o;
    const abort = new AbortController();
    const messages = [...log.messages, { role: 'user' as const, content: userText }];
    const clause = this.#o.prepareAudio ? output.prepareClause() : undefined;
    const stream = new BufferedLlmStream(
      llm.stream({ messages, tools: tools.specs, signal: abort.signal }),
      clause && ((ev) => ev.type === 'text' && clause.pushText(ev.text)),
    );
    // Idle once the reply is read and its first clause's first audio is ready (or there is none).
    void work.track(
      stream.finished.then(() => {
        if (stream.failed) clause?.discard();
        else clause?.endText();
        return clause?.firstAudio;
      }),
    );
    this.#prepared = { text: userText, baseLength: log.messages.length, abort, stream, clause };
  }

  /** The caller went on: the prepared reply is cancelled and never heard (its early audio too). */
  discardPrepared(): void {
    if (this.#prepared) this.#drop(this.#prepared);
    this.#prepared = undefined;
  }

  #drop(p: PreparedReply): void {
    p.abort.abort();
    p.clause?.discard();
  }

  /** The prepared reply, if it answers exactly the context as it is now (its words just logged). */
  #takePrepared(): PreparedReply | undefined {
    const p = this.#prepared;
    this.#prepared = undefined;
    if (!p) return undefined;
    const messages = this.#o.log.messages;
    const last = messages.at(-1);
    if (messages.length === p.baseLength + 1 && last?.role === 'user' && sameWords(last.content, p.text)) return p;
    this.#drop(p);
    return undefined;
  }

  /** Barge-in: the answer in flight stops now. */
  cancel(): void {
    this.#current?.abort.abort();
    this.#current = undefined;
  }

  /** Speaks the filler, once per answer, placed just before the answer in the transcript. */
  acknowledge(): void {
    const r = this.#current;
    if (!r || this.#acknowledgement === undefined) return;
    r.acked = true;
    const answerSeq = r.roundId === undefined ? undefined : this.#o.output.seqOf(r.roundId);
    this.#o.output.say(this.#acknowledgement, {
      remember: false,
      seq: answerSeq === undefined ? undefined : answerSeq - 0.5,
    });
  }

  close(): void {
    this.#closed = true;
    this.#current?.abort.abort();
    this.discardPrepared();
  }

  async #run(r: AgentResponse, instruction: string | undefined, id: number): Promise<ResponseStatus> {
    const { llm, log, output, tools, metrics, maxToolRounds } = this.#o;
    // A reply prepared for these words during the end-of-turn wait: its first round is under way.
    let prepared = instruction === undefined && r.latency ? this.#takePrepared() : undefined;
    if (!prepared) this.discardPrepared();
    if (prepared) {
      const p = prepared;
      r.abort.signal.addEventListener('abort', () => this.#drop(p), { once: true });
    }
    try {
      for (let round = 0; round < maxToolRounds; round++) {
        const roundId = output.newRound();
        r.roundId = roundId;
        if (r.latency && !r.latency.done) metrics.track(roundId, r.latency);
        // Its first clause's audio (synthesized during the end-of-turn wait) is played, not synthesized again.
        if (prepared?.clause) output.usePreparedClause(roundId, prepared.clause);
        let text = '';
        const calls: ChatToolCall[] = [];
        const messages =
          instruction && round === 0
            ? [...log.messages, { role: 'system' as const, content: instruction }]
            : log.messages;
        const events: AsyncIterable<LlmEvent> =
          prepared?.stream ?? llm.stream({ messages, tools: tools.specs, signal: r.abort.signal });
        prepared = undefined;
        for await (const ev of events) {
          if (r.abort.signal.aborted) return 'cancelled';
          if (ev.type === 'text') {
            r.latency?.llmFirstToken();
            r.hasText = true;
            this.emit('spoke');
            text += ev.text;
            output.text(roundId, ev.text);
            this.emit('text', id, ev.text);
          } else if (ev.type === 'tool_call') calls.push(ev.call);
        }
        if (r.abort.signal.aborted) return 'cancelled';
        output.flush(roundId);
        log.assistant(roundId, text, calls);
        this.emit('roundDone');
        if (calls.length === 0) return 'completed';
        let effect: ToolEffect = 'continue';
        for (const call of calls) {
          const e = await tools.run(call);
          if (e !== 'continue') effect = e;
        }
        if (r.abort.signal.aborted) return 'cancelled';
        if (effect === 'end_call') {
          this.emit('endCall');
          return 'completed';
        }
        if (effect === 'hold' || effect === 'client') return 'completed';
      }
      return 'completed';
    } catch (err) {
      if (r.abort.signal.aborted || this.#closed) return 'cancelled';
      this.emit('failed', err, instruction);
      return 'failed';
    }
  }
}
