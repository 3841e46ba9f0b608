import type { TurnMetrics } from './session-events';
import type { TurnLatency } from './turn/turn-latency';

/** Latency of answered caller turns: which spoken round completes which turn, and the finished metrics. */
export class TurnMetricsLog {
  readonly #done: TurnMetrics[] = [];
  readonly #byRound = new Map<number, TurnLatency>();

  /** Number of the next caller turn (1-based). */
  get nextTurn(): number {
    return this.#done.length + 1;
  }

  /** The round's first audio will complete `latency`. */
  track(roundId: number, latency: TurnLatency): void {
    this.#byRound.set(roundId, latency);
  }

  /** The round's first audio is out: returns the turn's finished metrics, if it completed one. */
  firstAudio(roundId: number): TurnMetrics | undefined {
    const latency = this.#byRound.get(roundId);
    this.#byRound.delete(roundId);
    const m = latency?.firstAudio();
    if (m) this.#done.push(m);
    return m;
  }

  all(): TurnMetrics[] {
    return [...this.#done];
  }
}
