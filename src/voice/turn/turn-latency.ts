import type { Clock } from '../../shared/clock';
import type { TurnMetrics } from '../session-events';

/**
 * Measures one caller turn on the monotonic clock, from the end-of-turn decision: STT done, LLM
 * first token, first TTS audio. `endpointingMs` is the silence the endpointer waited.
 */
export class TurnLatency {
  readonly #clock: Clock;
  readonly #detectedMs: number;
  readonly metrics: TurnMetrics;
  #sttDoneMs: number | undefined;
  #firstTokenMs: number | undefined;

  constructor(clock: Clock, turn: number, endpointingMs: number, detectedMs: number) {
    this.#clock = clock;
    this.#detectedMs = detectedMs;
    this.metrics = {
      turn,
      endpointingMs,
      sttMs: 0,
      llmFirstTokenMs: null,
      ttsFirstAudioMs: null,
      firstAudioMs: null,
      totalMs: null,
    };
  }

  get done(): boolean {
    return this.metrics.firstAudioMs !== null;
  }

  /** The words are known (at `atMono`, default now; words known during the end-of-turn wait add nothing). */
  sttDone(atMono = this.#clock.monotonicMs()): void {
    this.#sttDoneMs = Math.max(atMono, this.#detectedMs);
    this.metrics.sttMs = this.#sttDoneMs - this.#detectedMs;
  }

  llmFirstToken(): void {
    if (this.#firstTokenMs !== undefined) return;
    this.#firstTokenMs = this.#clock.monotonicMs();
    this.metrics.llmFirstTokenMs = this.#firstTokenMs - (this.#sttDoneMs ?? this.#detectedMs);
  }

  /** Completes the measurement; returns the metrics the first time only. */
  firstAudio(): TurnMetrics | undefined {
    if (this.done) return undefined;
    const now = this.#clock.monotonicMs();
    const m = this.metrics;
    m.ttsFirstAudioMs = now - (this.#firstTokenMs ?? this.#sttDoneMs ?? this.#detectedMs);
    m.firstAudioMs = now - this.#detectedMs;
    m.totalMs = m.endpointingMs + m.firstAudioMs;
    return m;
  }
}
