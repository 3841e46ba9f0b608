import { TypedEmitter } from '../shared/typed-emitter';
import type { Frame } from './pipeline/frames';
import { Pipeline } from './pipeline/pipeline';
import { PreparedClause } from './pipeline/prepared-clause';
import { SentenceAggregator } from './pipeline/sentence-aggregator';
import { TtsProcessor } from './pipeline/tts-processor';
import type { SessionTime } from './session-time';
import { SpokenTurns } from './spoken-turns';
import type { TtsProvider } from './tts/tts';
import type { ConversationLog } from './turn/conversation-log';
import { OutputPacer } from './turn/output-pacer';

export interface AgentOutputEvents {
  /** 20 ms of agent audio for the owner, paced in real time. */
  audio: (pcm: Int16Array) => void;
  /** The first synthesized audio of a sentence of round `roundId` (latency metrics). */
  firstAudio: (roundId: number) => void;
  /** A pipeline stage failed (TTS); `fatal` ends the conversation. */
  error: (source: string, error: Error, fatal: boolean) => void;
}

export interface AgentOutputOptions {
  tts: TtsProvider;
  voice: string;
  leadFrames: number;
  time: SessionTime;
  /** Assistant rounds go into the LLM context; a barge-in cuts them to what was heard. */
  log: ConversationLog;
  onListenerError: (err: unknown) => void;
}

/**
 * The agent's voice: text frames of a round → sentences → TTS → `OutputPacer` → `audio` events,
 * with `SpokenTurns` keeping what was really played. Owns everything between the model's text
 * and the caller's ear, and knows when it has all been played out. A prepared reply's first
 * clause may be synthesized ahead of time (`prepareClause`), unheard until its round adopts it.
 */
export class AgentOutput extends TypedEmitter<AgentOutputEvents> {
  readonly #log: ConversationLog;
  readonly #pipeline: Pipeline;
  readonly #pacer: OutputPacer;
  readonly #spoken: SpokenTurns;
  /** Run at the first tick with nothing left to play. */
  readonly #afterPlayout: (() => void)[] = [];
  /** Waiting for the first queued audio (prewarm of the greeting). */
  readonly #audioWaiters: (() => void)[] = [];
  /** First clauses synthesized ahead of time, by the round that adopted them. */
  readonly #clauses = new Map<number, PreparedClause>();
  readonly #tts: TtsProvider;
  readonly #voice: string;
  #closed = false;

  constructor(o: AgentOutputOptions) {
    super(o.onListenerError);
    this.#log = o.log;
    this.#tts = o.tts;
    this.#voice = o.voice;
    this.#spoken = new SpokenTurns(() => o.log.nextSeq());
    this.#pacer = new OutputPacer(
      o.leadFrames,
      (pcm) => this.emit('audio', pcm),
      () => o.time.nowMs,
    );
    this.#pipeline = new Pipeline(
      [
        new SentenceAggregator(),
        new TtsProcessor(
          o.tts,
          () => o.voice,
          (s, signal) => this.#takeClause(s, signal),
        ),
      ],
      (f) => this.#onOutput(f),
      (f) => {
        if (f.type === 'error') this.emit('error', f.source, f.error, f.fatal);
      },
    );
  }

  /** Audio is queued or playing, or the pipeline is still turning text into audio. */
  get speaking(): boolean {
    return this.#pacer.speaking || this.#pipeline.busy;
  }

  /** The call was answered: queued audio (a pre-generated greeting) starts to play. */
  activate(): void {
    this.#pacer.activate();
  }

  /** Opens a spoken round; `seq` places it in the transcript (default: now). */
  newRound(seq?: number): number {
    return this.#spoken.newRound(seq);
  }

  /** Transcript position of a round (the acknowledgement goes just before its answer). */
  seqOf(roundId: number): number | undefined {
    return this.#spoken.get(roundId)?.seq;
  }

  text(roundId: number, text: string): void {
    this.#pipeline.push({ type: 'text', responseId: roundId, text });
  }

  /** End of the round's text: speak what is left. */
  flush(roundId: number): void {
    this.#pipeline.push({ type: 'flush', responseId: roundId });
  }

  /** A first clause to synthesize ahead of time (a prepared reply's), with this output's engine and voice. */
  prepareClause(): PreparedClause {
    return new PreparedClause(this.#tts, this.#voice);
  }

  /** Round `roundId` adopted a prepared reply: its first sentence plays `clause`'s audio if it is that clause. */
  usePreparedClause(roundId: number, clause: PreparedClause): void {
    if (this.#closed) return clause.discard();
    this.#clauses.get(roundId)?.discard();
    this.#clauses.set(roundId, clause);
  }

  /** Speaks a fixed line (fallbacks, acknowledgement) without the LLM; `remember` puts it in the context. */
  say(text: string, opts: { remember: boolean; seq?: number | undefined }): void {
    const roundId = this.#spoken.newRound(opts.seq);
    this.text(roundId, text);
    this.flush(roundId);
    if (opts.remember) this.#log.assistant(roundId, text, []);
  }

  /** Barge-in: drops every queued frame, cancels synthesis, cuts open rounds to what was heard. */
  interrupt(): number {
    this.#dropClauses();
    this.#pipeline.interrupt();
    const dropped = this.#pacer.clear();
    this.#spoken.closeAll(this.#log);
    return dropped;
  }

  /** One 20 ms period: a frame counts as played; waiters for the end of playout run once all is played. */
  tick(): void {
    this.#pacer.tick();
    if (this.#afterPlayout.length > 0 && !this.speaking) for (const fn of this.#afterPlayout.splice(0)) fn();
  }

  /** Runs `fn` at the first tick with nothing left to play (end_call after the goodbye). */
  afterPlayout(fn: () => void): void {
    if (!this.#closed) this.#afterPlayout.push(fn);
  }

  /** Resolves once audio is queued (at once if some is). */
  whenAudioQueued(): Promise<void> {
    if (this.#pacer.speaking || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#audioWaiters.push(resolve));
  }

  /** Session ms when the round's first frame left (its transcript entry's start_ms), once it has. */
  roundStartMs(roundId: number): number | undefined {
    return this.#spoken.get(roundId)?.startMs;
  }

  /** Assistant transcript entries, cut to what was played. */
  transcriptEntries(): ReturnType<SpokenTurns['transcriptEntries']> {
    return this.#spoken.transcriptEntries();
  }

  get busy(): boolean {
    return this.#pipeline.busy;
  }

  idle(): Promise<void> {
    return this.#pipeline.idle();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#dropClauses();
    this.#pipeline.interrupt();
    this.#pacer.clear();
    this.#afterPlayout.length = 0;
    for (const w of this.#audioWaiters.splice(0)) w();
  }

  #takeClause(s: { responseId: number; index: number; text: string }, signal: AbortSignal) {
    const clause = s.index === 0 ? this.#clauses.get(s.responseId) : undefined;
    if (!clause) return undefined;
    this.#clauses.delete(s.responseId);
    return clause.take(s.text, signal);
  }

  #dropClauses(): void {
    for (const c of this.#clauses.values()) c.discard();
    this.#clauses.clear();
  }

  #onOutput(f: Frame): void {
    // A round's text is all spoken: a clause its first sentence did not use is dropped.
    if (f.type === 'flush') {
      this.#clauses.get(f.responseId)?.discard();
      this.#clauses.delete(f.responseId);
    }
    if (this.#closed) return;
    const first = f.type === 'audio' && this.#spoken.startsSentenceAudio(f);
    // Queued first: the frame of a silent agent leaves at once, so its round's start is known at `firstAudio`.
    this.#spoken.onOutput(f, this.#pacer);
    if (first) this.emit('firstAudio', f.responseId);
    if (f.type === 'audio' && this.#pacer.speaking) for (const w of this.#audioWaiters.splice(0)) w();
  }
}
