import { seqDelta } from './rtp-packet';

/** What the buffer releases, in sequence order: a packet, or a slot whose packet never came. */
export type JitterItem<T> = { kind: 'packet'; seq: number; value: T } | { kind: 'lost'; seq: number };

export interface JitterBufferOptions {
  /** How many newer packets may arrive before a missing one is declared lost (reorder depth). */
  depthPackets?: number;
  /** A sequence jump larger than this (either way) is a stream restart, not loss. */
  resyncGap?: number;
  /** At most this many lost slots are reported for one gap (the rest are skipped). */
  maxConcealPackets?: number;
}

export interface JitterBufferStats {
  late: number;
  duplicates: number;
  lost: number;
  reordered: number;
  resyncs: number;
}

/**
 * A small reordering buffer keyed on RTP sequence numbers (sans-IO). In-order packets pass
 * through at once; after a gap it holds newer packets until the missing one arrives or
 * `depthPackets` newer ones are waiting, then reports the slot as lost (for concealment).
 * Packets older than the playout point are dropped as late.
 */
export class JitterBuffer<T> {
  readonly #depth: number;
  readonly #resyncGap: number;
  readonly #maxConceal: number;
  readonly #held = new Map<number, T>();
  #next: number | undefined;
  readonly stats: JitterBufferStats = { late: 0, duplicates: 0, lost: 0, reordered: 0, resyncs: 0 };

  constructor(options: JitterBufferOptions = {}) {
    this.#depth = options.depthPackets ?? 3;
    this.#resyncGap = options.resyncGap ?? 200;
    this.#maxConceal = options.maxConcealPackets ?? 25;
  }

  get heldPackets(): number {
    return this.#held.size;
  }

  push(seq: number, value: T): Array<JitterItem<T>> {
    const out: Array<JitterItem<T>> = [];
    if (this.#next === undefined) this.#next = seq;
    const d = seqDelta(this.#next, seq);
    if (Math.abs(d) > this.#resyncGap) {
      this.stats.resyncs++;
      out.push(...this.drain());
      this.#next = seq;
    } else if (d < 0) {
      this.stats.late++;
      return out;
    }
    if (this.#held.has(seq)) {
      this.stats.duplicates++;
      return out;
    }
    if (this.#held.size > 0 && seqDelta(this.#next, seq) < this.#newestAhead()) this.stats.reordered++;
    this.#held.set(seq, value);
    this.#release(out, false);
    return out;
  }

  /** Releases everything held, in order, with lost slots for the gaps between (end of stream). */
  drain(): Array<JitterItem<T>> {
    const out: Array<JitterItem<T>> = [];
    this.#release(out, true);
    this.#next = undefined;
    return out;
  }

  #newestAhead(): number {
    let newest = -1;
    for (const seq of this.#held.keys()) newest = Math.max(newest, seqDelta(this.#next!, seq));
    return newest;
  }

  #release(out: Array<JitterItem<T>>, all: boolean): void {
    let conceal = 0;
    while (this.#held.size > 0) {
      const next = this.#next!;
      if (this.#held.has(next)) {
        const value = this.#held.get(next) as T;
        this.#held.delete(next);
        out.push({ kind: 'packet', seq: next, value });
        conceal = 0;
      } else if (all || this.#newestAhead() >= this.#depth) {
        this.stats.lost++;
        if (conceal++ < this.#maxConceal) out.push({ kind: 'lost', seq: next });
      } else {
        return;
      }
      this.#next = (next + 1) & 0xffff;
    }
  }
}
