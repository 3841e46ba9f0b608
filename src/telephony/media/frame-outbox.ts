import { FRAME_SAMPLES } from '../../audio/frame';

/**
 * A tick's frames on their way from a media worker to the main thread without allocating on the
 * worker: frames are copied into one staging buffer as sessions emit them, and at the end of
 * the tick into the next free slot of a ring of SharedArrayBuffers (`flags[slot]` is 1 from the
 * post until the main thread has copied the slot out, see takeBatchFrames). Only when every
 * slot is still unread (the main thread stalled for a whole ring of ticks) or there is no ring
 * does a tick's batch go out in freshly allocated transferred buffers, as before the ring.
 */
export const OUTBOX_SLOTS = 16;

/** One tick's frames as posted: `index` holds (session id, kind) per frame; frame k is samples [k·160, (k+1)·160). */
export interface OutboxFrames {
  frames: number;
  index: Int32Array;
  samples: Int16Array;
  /** The ring slot the views are on (the main thread releases it), or −1: transferred buffers. */
  slot: number;
}

const EMPTY: OutboxFrames = { frames: 0, index: new Int32Array(0), samples: new Int16Array(0), slot: -1 };

interface Slot {
  index: Int32Array;
  samples: Int16Array;
}

function sharedSlot(frames: number): Slot {
  return {
    index: new Int32Array(new SharedArrayBuffer(8 * frames)),
    samples: new Int16Array(new SharedArrayBuffer(2 * FRAME_SAMPLES * frames)),
  };
}

export class FrameOutbox {
  readonly #flags: Int32Array | undefined;
  readonly #slots: Array<Slot | undefined> = [];
  #next = 0;
  #index = new Int32Array(2 * 64);
  #samples = new Int16Array(FRAME_SAMPLES * 64);
  #count = 0;
  /** Ticks that found no free slot and allocated their buffers. */
  allocated = 0;

  /** `flags`: Int32Array(OUTBOX_SLOTS) on a SharedArrayBuffer shared with the main thread (none: always transfer). */
  constructor(flags: Int32Array | undefined) {
    this.#flags = flags && flags.length >= OUTBOX_SLOTS ? flags : undefined;
  }

  get frames(): number {
    return this.#count;
  }

  /** Copies a frame in (the frame may be reused by its session right after). */
  push(id: number, kind: number, frame: Int16Array): void {
    const k = this.#count;
    if (k * 2 === this.#index.length) this.#grow();
    this.#index[2 * k] = id;
    this.#index[2 * k + 1] = kind;
    const at = k * FRAME_SAMPLES;
    if (frame.length === FRAME_SAMPLES) this.#samples.set(frame, at);
    else {
      this.#samples.set(frame.subarray(0, FRAME_SAMPLES), at);
      this.#samples.fill(0, at + Math.min(frame.length, FRAME_SAMPLES), at + FRAME_SAMPLES);
    }
    this.#count = k + 1;
  }

  /** The frames pushed since the last take (then marked in flight), and the transfer list to post them with. */
  take(): { frames: OutboxFrames; transfer: ArrayBuffer[] } {
    const n = this.#count;
    if (n === 0) return { frames: EMPTY, transfer: [] };
    this.#count = 0;
    const flags = this.#flags;
    const slot = this.#next;
    if (flags && Atomics.load(flags, slot) === 0) {
      this.#next = (slot + 1) % OUTBOX_SLOTS;
      let s = this.#slots[slot];
      if (!s || s.index.length < 2 * n) this.#slots[slot] = s = sharedSlot(this.#index.length / 2);
      s.index.set(this.#index.subarray(0, 2 * n));
      s.samples.set(this.#samples.subarray(0, n * FRAME_SAMPLES));
      Atomics.store(flags, slot, 1);
      return { frames: { frames: n, index: s.index, samples: s.samples, slot }, transfer: [] };
    }
    this.allocated++;
    const index = this.#index.slice(0, 2 * n);
    const samples = this.#samples.slice(0, n * FRAME_SAMPLES);
    return { frames: { frames: n, index, samples, slot: -1 }, transfer: [index.buffer, samples.buffer] };
  }

  #grow(): void {
    const index = new Int32Array(2 * this.#index.length);
    index.set(this.#index);
    const samples = new Int16Array(2 * this.#samples.length);
    samples.set(this.#samples);
    this.#index = index;
    this.#samples = samples;
  }
}

/**
 * On the main thread: a batch's frames in buffers of its own (listeners may keep the views), the
 * ring slot released at once.
 */
export function takeBatchFrames(
  f: OutboxFrames,
  flags: Int32Array | undefined,
): { index: Int32Array; samples: Int16Array } {
  if (f.slot < 0) return { index: f.index, samples: f.samples };
  const index = f.index.slice(0, 2 * f.frames);
  const samples = f.samples.slice(0, f.frames * FRAME_SAMPLES);
  if (flags) Atomics.store(flags, f.slot, 0);
  return { index, samples };
}
