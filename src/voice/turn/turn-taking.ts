import type { Clock } from '../../shared/clock';
import { TypedEmitter } from '../../shared/typed-emitter';
import type { InflightWork } from '../inflight-work';
import type { SessionTime } from '../session-time';
import type { SttProvider } from '../stt/stt';
import type { VadFactory, VadProvider } from '../vad/vad';
import { BargeInPolicy, type AgentFloor } from './barge-in-policy';
import { DtmfCollector } from './dtmf-collector';
import { Endpointer, type EndpointerOptions, type EndpointEvent } from './endpointer';

/** A caller utterance, transcribed. */
export interface CallerTurn {
  text: string;
  /** Session ms of the speech. */
  startMs: number;
  endMs: number;
  /** The silence the endpointer waited before deciding the turn was over. */
  silenceWaitedMs: number;
  /** Monotonic ms of the end-of-turn decision (latency metrics start here). */
  detectedMono: number;
  /** False when the caller is already speaking again: one answer follows the whole turn. */
  answerNow: boolean;
}

export type CallerActivity = 'speech_started' | 'speech_ended' | 'keypad';

export interface TurnTakingEvents {
  /** The caller made themselves heard (silence timers count from here). */
  callerActivity: (kind: CallerActivity) => void;
  /** The barge-in policy decided the caller takes the floor: stop the agent now. */
  bargeIn: () => void;
  callerTurn: (turn: CallerTurn) => void;
  /** Keypad digits for the model ('#' or the inter-digit gap ended the entry). */
  keypad: (digits: string, atMs: number) => void;
  /** Speech-to-text failed for an utterance. */
  sttFailed: (err: unknown) => void;
}

export interface TurnTakingOptions {
  vad: VadProvider | VadFactory;
  stt: SttProvider;
  language: string | undefined;
  timings: EndpointerOptions & { sttTimeoutMs: number };
  clock: Clock;
  time: SessionTime;
  /** What the agent is doing right now (for the barge-in policy). */
  floor: () => AgentFloor;
  /** Pending provider work (the session's whenIdle). */
  work: InflightWork;
  onListenerError: (err: unknown) => void;
}

/**
 * The caller's side of the conversation: VAD → endpointer (speech start / end of turn) →
 * speech-to-text, one utterance at a time and in order, plus keypad entry. Asks the
 * `BargeInPolicy` whether a caller signal interrupts the agent, and decides when a transcribed
 * turn is answered.
 */
export class TurnTaking extends TypedEmitter<TurnTakingEvents> {
  readonly #o: TurnTakingOptions;
  readonly #endpointer: Endpointer;
  readonly #policy = new BargeInPolicy();
  readonly #dtmf = new DtmfCollector();
  #vad: VadProvider | undefined;
  /** Utterances are transcribed one after the other, in order. */
  #stt: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: TurnTakingOptions) {
    super(options.onListenerError);
    this.#o = options;
    this.#endpointer = new Endpointer(options.timings);
    if (typeof options.vad !== 'function') this.#vad = options.vad;
  }

  /** The caller is mid-utterance. */
  get callerSpeaking(): boolean {
    return this.#endpointer.inSpeech;
  }

  /** Keypad digits wait to be handed over. */
  get dtmfPending(): boolean {
    return this.#dtmf.pending;
  }

  /** Session ms of the last keypad digit. */
  get lastDigitMs(): number {
    return this.#dtmf.lastDigitMs;
  }

  /** Loads the VAD when the session was given a factory (fvad compiles WASM). */
  async prewarm(): Promise<void> {
    const vad = this.#o.vad;
    if (this.#vad || typeof vad !== 'function') return;
    const loaded = await vad();
    if (this.#closed) loaded.close();
    else this.#vad = loaded;
  }

  /** One 20 ms caller frame. */
  pushAudio(frame: Int16Array): void {
    if (this.#closed || !this.#vad) return;
    // Durations inside the endpointer count frames; only the turn's position uses the clock.
    const events = this.#endpointer.push(frame, this.#vad.isSpeech(frame), this.#o.time.liveMs());
    for (const ev of events) this.#onEndpoint(ev);
  }

  /** A keypad digit (RFC 4733 / INFO); '#' hands the entry over at once. */
  pushDtmf(digit: string): void {
    if (this.#closed) return;
    if (this.#dtmf.push(digit, this.#o.time.liveMs())) this.flushDtmf();
  }

  /** Hands the collected digits to the model (at '#' or after the inter-digit gap). */
  flushDtmf(): void {
    const digits = this.#dtmf.take();
    if (digits === '' || this.#closed) return;
    this.emit('callerActivity', 'keypad');
    if (this.#policy.shouldInterrupt({ type: 'keypad', digits }, this.#o.floor())) this.emit('bargeIn');
    this.emit('keypad', digits, this.#dtmf.lastDigitMs);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#vad?.close();
  }

  #onEndpoint(ev: EndpointEvent): void {
    if (ev.type === 'speech_started') {
      this.emit('callerActivity', 'speech_started');
      const signal = { type: 'speech_started', atMs: ev.startMs } as const;
      if (this.#policy.shouldInterrupt(signal, this.#o.floor())) this.emit('bargeIn');
      return;
    }
    this.emit('callerActivity', 'speech_ended');
    const detectedMono = this.#o.clock.monotonicMs();
    this.#stt = this.#stt.then(() => this.#o.work.track(this.#transcribe(ev, detectedMono))).catch(() => undefined);
  }

  async #transcribe(ev: Extract<EndpointEvent, { type: 'speech_ended' }>, detectedMono: number): Promise<void> {
    if (this.#closed) return;
    let text: string;
    try {
      text = await this.#o.stt.transcribe(ev.audio, {
        sampleRateHz: 8000,
        language: this.#o.language,
        signal: AbortSignal.timeout(this.#o.timings.sttTimeoutMs),
      });
    } catch (err) {
      if (!this.#closed) this.emit('sttFailed', err);
      return;
    }
    if (text === '' || this.#closed) return;
    this.emit('callerTurn', {
      text,
      startMs: ev.startMs,
      endMs: ev.endMs,
      silenceWaitedMs: ev.silenceWaitedMs,
      detectedMono,
      // The caller already started talking again: answer once, after that utterance too.
      answerNow: !this.#endpointer.inSpeech,
    });
  }
}
