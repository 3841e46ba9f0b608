import type { SpokenTurn } from './spoken-turn';

interface Queued {
  pcm: Int16Array;
  turn: SpokenTurn;
  index: number;
}

/**
 * Sends agent audio at real-time pace: on each 20 ms tick one frame counts as played and the
 * frames handed to the owner are topped up to `leadFrames` ahead (so RTP never starves, and
 * the first frames of an answer leave at once). Knows exactly which frames were played, which
 * the barge-in transcript needs; `clear()` drops the rest (the owner drops its queue too).
 */
export class OutputPacer {
  readonly #queue: Queued[] = [];
  readonly #inFlight: Queued[] = [];
  #active = false;

  constructor(
    readonly leadFrames: number,
    readonly emit: (pcm: Int16Array) => void,
    readonly nowMs: () => number,
  ) {}

  /** Starts sending (call answered). Before that frames only queue up (pre-generated greeting). */
  activate(): void {
    this.#active = true;
    this.#topUp();
  }

  enqueue(pcm: Int16Array, turn: SpokenTurn, index: number): void {
    this.#queue.push({ pcm, turn, index });
    this.#topUp();
  }

  /** One 20 ms period elapsed. */
  tick(): void {
    if (!this.#active) return;
    const played = this.#inFlight.shift();
    if (played) {
      played.turn.sentence(played.index).played += 1;
      played.turn.endMs = this.nowMs();
    }
    this.#topUp();
  }

  /** Drops queued and not-yet-played frames; returns how many frames were dropped. */
  clear(): number {
    const n = this.#queue.length + this.#inFlight.length;
    this.#queue.length = 0;
    this.#inFlight.length = 0;
    return n;
  }

  /** Audio is queued or still playing at the far end. */
  get speaking(): boolean {
    return this.#queue.length > 0 || this.#inFlight.length > 0;
  }

  #topUp(): void {
    if (!this.#active) return;
    while (this.#inFlight.length < this.leadFrames && this.#queue.length > 0) {
      const f = this.#queue.shift()!;
      this.#inFlight.push(f);
      // A frame handed over now is heard one lead period later at most; the turn's start is
      // the moment its first frame leaves, which is what the recording shows (± lead).
      f.turn.startMs ??= this.nowMs();
      this.emit(f.pcm);
    }
  }
}
