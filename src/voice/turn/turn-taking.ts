import { TypedEmitter } from '../../shared/typed-emitter';
import { withTimeout } from '../../shared/with-timeout';
import type { SttStream } from '../stt/stt';
import type { VadProvider } from '../vad/vad';
import { BargeInPolicy, type BargeInSettings } from './barge-in-policy';
import { newOpenTurn, turnText, type CallerTurn, type OpenTurn } from './caller-turn';
import { DtmfCollector } from './dtmf-collector';
import { Endpointer } from './endpointer';
import { endOfTurnSilenceMs, sameWords } from './turn-completeness';
import type { TurnTakingOptions } from './turn-taking-options';

export type CallerActivity = 'speech_started' | 'speech_ended' | 'keypad';

export interface TurnTakingEvents {
  /** The caller made themselves heard (silence timers count from here). */
  callerActivity: (kind: CallerActivity) => void;
  /**
   * The caller's speech as the conversation sees it (the realtime API's speech_started/stopped):
   * while the agent speaks, 'started' comes only once the utterance interrupts it (or turns out to
   * be a turn); a backchannel the agent talked on through has neither. `agoMs`: how much caller
   * audio ago (ms of frames) it started / stopped (a held utterance is announced late, a stop late).
   */
  callerSpeech: (state: 'started' | 'stopped', agoMs: number) => void;
  /** The barge-in policy decided the caller takes the floor: stop the agent now. */
  bargeIn: () => void;
  /**
   * The caller only backchanneled ("uh-huh", "okay") while the agent spoke: the agent went on,
   * and these words are no turn (not in the context or the transcript, not answered).
   */
  backchannel: (text: string) => void;
  callerTurn: (turn: CallerTurn) => void;
  /**
   * The caller paused and their words so far are known: a reply may be prepared for `text`. It
   * is used only if the turn ends with exactly these words (`callerTurn`); `discardPrepared` otherwise.
   */
  prepare: (text: string) => void;
  /** The caller went on after `prepare`: whatever was prepared must never be heard. */
  discardPrepared: () => void;
  /** Keypad digits for the model ('#' or the inter-digit gap ended the entry). */
  keypad: (digits: string, atMs: number) => void;
  /** Speech-to-text failed for an utterance. */
  sttFailed: (err: unknown) => void;
  /** The streaming STT had a problem it recovers from (a dropped connection): report only. */
  sttWarning: (err: unknown) => void;
}

/**
 * The caller's side of the conversation: VAD → endpointer (speech start, silence) → speech to
 * text → the adaptive end of turn, plus keypad entry. With a streaming STT the audio goes out
 * frame by frame while the caller talks; at a short pause (`turnPauseMs`) the final words are
 * asked for (or, uploads only, the utterance so far is uploaded early). The turn ends when the
 * words are known and the silence reached what they call for (turn-completeness.ts): short
 * after a finished sentence, long after "and", "um" or a number being dictated. Asks the
 * `BargeInPolicy` whether a caller signal interrupts the agent.
 */
export class TurnTaking extends TypedEmitter<TurnTakingEvents> {
  readonly #o: TurnTakingOptions;
  readonly #endpointer: Endpointer;
  readonly #policy: BargeInPolicy;
  readonly #dtmf = new DtmfCollector();
  #vad: VadProvider | undefined;
  #stream: SttStream | undefined;
  #turn: OpenTurn | undefined;
  #closed = false;

  constructor(options: TurnTakingOptions) {
    super(options.onListenerError);
    this.#o = options;
    this.#endpointer = new Endpointer(options.timings);
    const t = options.timings;
    const barge: BargeInSettings = {
      minSpeechMs: t.bargeInMinSpeechMs,
      minWords: t.bargeInMinWords,
      filterBackchannels: t.bargeInFilterBackchannels,
    };
    this.#policy = new BargeInPolicy(barge);
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

  /** Loads the VAD when the session was given a factory (fvad compiles WASM); opens the STT stream. */
  async prewarm(): Promise<void> {
    this.#openStream();
    const vad = this.#o.vad;
    if (this.#vad || typeof vad !== 'function') return;
    const loaded = await vad();
    if (this.#closed) loaded.close();
    else this.#vad = loaded;
  }

  /** One 20 ms caller frame. */
  pushAudio(frame: Int16Array): void {
    if (this.#closed || !this.#vad) return;
    const ep = this.#endpointer;
    const isSpeech = this.#vad.isSpeech(frame);
    const silenceBefore = ep.silenceMs;
    // Durations inside the endpointer count frames; only the turn's position uses the clock.
    const started = ep.push(frame, isSpeech, this.#o.time.liveMs());
    if (started) {
      this.#onSpeechStarted(started.startMs, started.frames);
      return;
    }
    const turn = this.#turn;
    if (!ep.inSpeech || !turn) return;
    this.#stream?.send(frame);
    if (turn.held) this.#progress(turn);
    // Speech again after a pause, or after the words were taken as known: the turn goes on.
    if (isSpeech && (silenceBefore >= this.#o.timings.turnPauseMs || (turn.ready && silenceBefore > 0)))
      this.#resumed(turn);
    if (!turn.requested && (ep.silenceMs >= this.#o.timings.turnPauseMs || ep.tooLong)) this.#request(turn);
    this.#prepareEarly(turn);
    this.#maybeEnd();
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

  /**
   * The conversation is closing (the caller hung up): the words of an utterance still being
   * spoken are transcribed and handed over as a turn that is not answered. Bounded by `timeoutMs`.
   */
  async flush(timeoutMs: number): Promise<void> {
    const turn = this.#turn;
    if (this.#closed || !turn || !this.#endpointer.inSpeech) return;
    const u = this.#endpointer.audio();
    let text = '';
    try {
      if (this.#stream && !turn.streamFailed) {
        await withTimeout(this.#stream.finalize(), timeoutMs);
        text = turnText(turn);
      } else if (turn.ready) text = turnText(turn);
      else if (this.#o.stt && u.length > 0)
        text = await this.#o.stt.transcribe(u, {
          sampleRateHz: 8000,
          language: this.#o.language,
          signal: AbortSignal.timeout(timeoutMs),
        });
    } catch {
      text = turnText(turn, true);
    }
    if (this.#closed || this.#turn !== turn) return;
    this.#endTurn(turn, text, false);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#turn?.upload?.abort();
    this.#stream?.close();
    this.#vad?.close();
  }

  // ---- the caller's turn ---------------------------------------------------------------------

  #openStream(): void {
    const p = this.#o.sttStreaming;
    if (!p || this.#stream || this.#closed) return;
    const stream = (this.#stream = p.open({ sampleRateHz: 8000, language: this.#o.language, timers: this.#o.timers }));
    stream.on('result', (r) => {
      const turn = this.#turn;
      if (!turn) return;
      if (r.isFinal) {
        if (r.text !== '') turn.finals.push(r.text);
        turn.interim = '';
      } else turn.interim = r.text;
      if (turn.held && this.#endpointer.inSpeech) this.#progress(turn);
      // The provider's own endpointing saw the pause first: the words are known without asking.
      if (r.speechFinal && !turn.ready && this.#endpointer.inSpeech) {
        turn.requested = true;
        turn.ready = true;
        turn.transcribedMono = this.#o.clock.monotonicMs();
        this.#onWordsKnown(turn);
      }
    });
    stream.on('error', (err) => this.emit('sttWarning', err));
  }

  #onSpeechStarted(startMs: number, frames: Int16Array[]): void {
    this.#turn?.upload?.abort();
    const turn = (this.#turn = newOpenTurn());
    for (const f of frames) this.#stream?.send(f);
    this.emit('callerActivity', 'speech_started');
    const decision = this.#policy.decide({ type: 'speech_started', atMs: startMs }, this.#o.floor());
    if (decision === 'gather') turn.held = true;
    else this.#announce(turn);
    if (decision === 'interrupt') this.emit('bargeIn');
  }

  #announce(turn: OpenTurn): void {
    if (turn.announced) return;
    turn.announced = true;
    this.emit('callerSpeech', 'started', this.#endpointer.sinceStartMs);
  }

  /** The utterance is over (`silenceMs` ago): 'speech_ended' for the timers, and 'stopped' when it was announced. */
  #speechEnded(turn: OpenTurn, silenceMs: number): void {
    this.emit('callerActivity', 'speech_ended');
    if (turn.announced) this.emit('callerSpeech', 'stopped', silenceMs);
  }

  /** Evidence about a held utterance (a voiced frame, an interim result): does it interrupt now? */
  #progress(turn: OpenTurn): void {
    // Streaming: the interim words; upload: the words up to the last pause, once uploaded (else none).
    const words = this.#stream && !turn.streamFailed ? turnText(turn, true) : turn.uploadText;
    const signal = { type: 'speech_progress', speechMs: this.#endpointer.voicedMs, words } as const;
    if (this.#policy.decide(signal, this.#o.floor()) !== 'interrupt') return;
    turn.held = false;
    this.#announce(turn);
    this.emit('bargeIn');
  }

  /** The caller speaks again after a pause: the words are not complete any more. */
  #resumed(turn: OpenTurn): void {
    turn.pause += 1;
    turn.ready = false;
    turn.requested = false;
    turn.failed = undefined;
    turn.upload?.abort();
    turn.upload = undefined;
    turn.uploadText = undefined;
    if (turn.prepared !== undefined) {
      turn.prepared = undefined;
      this.emit('discardPrepared');
    }
  }

  /** Asks for the words up to this pause: the stream's final results, or an upload of the audio so far. */
  #request(turn: OpenTurn): void {
    turn.requested = true;
    const pause = turn.pause;
    const known = (): void => {
      if (this.#turn !== turn || turn.pause !== pause || this.#closed) return;
      turn.ready = true;
      turn.transcribedMono = this.#o.clock.monotonicMs();
      this.#onWordsKnown(turn);
    };
    if (this.#stream && !turn.streamFailed) {
      void this.#o.work.track(
        this.#stream.finalize().then(known, (err: unknown) => {
          if (this.#turn !== turn || this.#closed) return;
          this.emit('sttWarning', err);
          turn.streamFailed = true;
          if (turn.pause === pause) this.#upload(turn, pause, known);
        }),
      );
    } else this.#upload(turn, pause, known);
  }

  #upload(turn: OpenTurn, pause: number, known: () => void): void {
    const stt = this.#o.stt;
    if (!stt) {
      turn.failed = new Error('no speech to text can hear this turn');
      this.#maybeEnd();
      return;
    }
    const abort = new AbortController();
    turn.upload = abort;
    const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(this.#o.timings.sttTimeoutMs)]);
    const audio = this.#endpointer.audio();
    void this.#o.work.track(
      stt.transcribe(audio, { sampleRateHz: 8000, language: this.#o.language, signal }).then(
        (text) => {
          if (turn.pause !== pause) return;
          turn.uploadText = text.trim();
          known();
        },
        (err: unknown) => {
          if (abort.signal.aborted || this.#turn !== turn || turn.pause !== pause || this.#closed) return;
          turn.failed = err;
          this.#maybeEnd();
        },
      ),
    );
  }

  /**
   * At the first short pause, before the final words: a reply is prepared on the interim words
   * (streaming). The final words usually say the same; if not, `#onWordsKnown` prepares again.
   */
  #prepareEarly(turn: OpenTurn): void {
    const t = this.#o.timings;
    if (
      !t.prepareReplies ||
      turn.held ||
      turn.ready ||
      turn.prepared !== undefined ||
      !this.#stream ||
      turn.streamFailed
    )
      return;
    if (this.#endpointer.silenceMs < t.turnPrepareAfterMs) return;
    const text = turnText(turn, true);
    if (text === '') return;
    turn.prepared = text;
    this.emit('prepare', text);
  }

  #onWordsKnown(turn: OpenTurn): void {
    if (turn.held && this.#endpointer.inSpeech) this.#progress(turn);
    const text = turnText(turn);
    if (
      this.#o.timings.prepareReplies &&
      !turn.held &&
      text !== '' &&
      (turn.prepared === undefined || !sameWords(turn.prepared, text))
    ) {
      turn.prepared = text;
      this.emit('prepare', text);
    }
    this.#maybeEnd();
  }

  /** Ends the turn once its words are known and the silence reached what they call for. */
  #maybeEnd(): void {
    const turn = this.#turn;
    const ep = this.#endpointer;
    if (!turn || !ep.inSpeech || this.#closed) return;
    const t = this.#o.timings;
    if (turn.failed !== undefined) {
      // Nothing can transcribe this turn: give up once the caller is clearly done.
      if (ep.silenceMs < t.endOfTurnSilenceMs && !ep.tooLong) return;
      const err = turn.failed;
      const u = ep.end();
      this.#turn = undefined;
      this.#speechEnded(turn, u.silenceWaitedMs);
      // Nothing interrupted the agent: its line goes on, and no apology for words it talked over.
      this.emit(turn.held ? 'sttWarning' : 'sttFailed', err);
      return;
    }
    if (!turn.ready) return;
    const text = turnText(turn);
    const wait = endOfTurnSilenceMs(text, {
      minMs: t.turnMinSilenceMs,
      neutralMs: t.endOfTurnSilenceMs,
      maxMs: t.turnMaxSilenceMs,
    });
    if (ep.silenceMs < wait && !ep.tooLong) return;
    this.#endTurn(turn, text, true);
  }

  #endTurn(turn: OpenTurn, text: string, answerNow: boolean): void {
    const detectedMono = this.#o.clock.monotonicMs();
    const u = this.#endpointer.end();
    this.#turn = undefined;
    turn.upload?.abort();
    if (text === '' || !turn.held) {
      this.#speechEnded(turn, u.silenceWaitedMs);
      if (text === '') {
        if (turn.prepared !== undefined) this.emit('discardPrepared');
        return;
      }
    } else {
      const floor = this.#o.floor();
      if (this.#policy.isBackchannelTurn(text, floor)) {
        this.#speechEnded(turn, u.silenceWaitedMs);
        this.emit('backchannel', text);
        return;
      }
      // Too short to interrupt on its own, but more than a backchannel ("no", "stop"): a turn.
      this.#announce(turn);
      this.#speechEnded(turn, u.silenceWaitedMs);
      if (floor.speaking || floor.thinking) this.emit('bargeIn');
    }
    this.emit('callerTurn', {
      text,
      startMs: u.startMs,
      endMs: u.endMs,
      silenceWaitedMs: u.silenceWaitedMs,
      detectedMono,
      transcribedMono: turn.ready ? turn.transcribedMono : detectedMono,
      answerNow,
    });
  }
}
