/**
 * RFC 4733 telephone-events (DTMF) in RTP, sans-IO.
 * Payload: event (8 bits) | E (end) | R | volume (6 bits) | duration (16 bits, timestamp units:
 * telephone-event/8000, so SAMPLES_PER_MS units per ms).
 */
import { FRAME_MS, SAMPLES_PER_MS } from '../../audio/frame';

export const DTMF_DIGITS = '0123456789*#ABCD';

export interface TelephoneEvent {
  event: number;
  end: boolean;
  /** Power level in −dBm0 (0..63). */
  volume: number;
  /** Duration so far, in RTP timestamp units (8 per ms). */
  duration: number;
}

export interface DtmfEvent {
  digit: string;
  durationMs: number;
}

export function encodeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  const out = new Uint8Array(4);
  out[0] = e.event & 0xff;
  out[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  out[2] = (e.duration >> 8) & 0xff;
  out[3] = e.duration & 0xff;
  return out;
}

export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

export function digitToEvent(digit: string): number | undefined {
  const i = DTMF_DIGITS.indexOf(digit.toUpperCase());
  return i < 0 || digit.length !== 1 ? undefined : i;
}

export function eventToDigit(event: number): string | undefined {
  return DTMF_DIGITS[event];
}

export type DtmfDone = (sent: boolean) => void;

/** One RTP packet the sender wants out in this 20 ms slot. */
export interface DtmfSlot {
  /** 'event' → send `payload` with the telephone-event PT; 'gap' → this slot carries audio. */
  kind: 'event' | 'gap';
  payload?: Uint8Array;
  marker?: boolean;
  /** RTP timestamp of the event (its start), the same for every packet of one digit. */
  timestamp?: number;
}

export interface DtmfSenderOptions {
  toneMs?: number;
  gapMs?: number;
  volume?: number;
  /** How many times the final (end) packet goes out. */
  endPackets?: number;
  frameMs?: number;
}

/**
 * Plays digits one 20 ms slot at a time: packets with a growing duration (marker on the first),
 * the end packet `endPackets` times, then `gapMs` of ordinary audio before the next digit.
 */
export class DtmfSender {
  readonly #toneFrames: number;
  readonly #gapFrames: number;
  readonly #volume: number;
  readonly #endPackets: number;
  readonly #frameTs: number;
  readonly #queue: Array<{ event: number; done: DtmfDone }> = [];
  #current: { event: number; done: DtmfDone; timestamp: number; frame: number } | undefined;
  #gapLeft = 0;

  constructor(options: DtmfSenderOptions = {}) {
    const frameMs = options.frameMs ?? FRAME_MS;
    this.#toneFrames = Math.max(2, Math.round((options.toneMs ?? 100) / frameMs));
    this.#gapFrames = Math.max(1, Math.round((options.gapMs ?? 60) / frameMs));
    this.#volume = options.volume ?? 10;
    this.#endPackets = options.endPackets ?? 3;
    this.#frameTs = frameMs * SAMPLES_PER_MS;
  }

  get busy(): boolean {
    return this.#current !== undefined || this.#queue.length > 0 || this.#gapLeft > 0;
  }

  /** Queues one digit; `done(true)` runs after its last end packet went out, `done(false)` on cancel. */
  enqueue(event: number, done: DtmfDone): void {
    this.#queue.push({ event, done });
  }

  /** Drops the digit in progress and the queued ones (session closing); each `done(false)`. */
  cancel(): void {
    const pending = this.#queue.splice(0).map((q) => q.done);
    if (this.#current) pending.unshift(this.#current.done);
    this.#current = undefined;
    this.#gapLeft = 0;
    for (const done of pending) done(false);
  }

  /** Called once per frame slot with that slot's RTP timestamp; undefined when idle. */
  next(slotTimestamp: number): DtmfSlot | undefined {
    if (!this.#current) {
      if (this.#gapLeft > 0) {
        this.#gapLeft--;
        return { kind: 'gap' };
      }
      const q = this.#queue.shift();
      if (!q) return undefined;
      this.#current = { ...q, timestamp: slotTimestamp >>> 0, frame: 0 };
    }
    const c = this.#current;
    c.frame++;
    const end = c.frame >= this.#toneFrames;
    const duration = Math.min(c.frame, this.#toneFrames) * this.#frameTs;
    const slot: DtmfSlot = {
      kind: 'event',
      payload: encodeTelephoneEvent({ event: c.event, end, volume: this.#volume, duration }),
      marker: c.frame === 1,
      timestamp: c.timestamp,
    };
    if (c.frame >= this.#toneFrames + this.#endPackets - 1) {
      this.#current = undefined;
      this.#gapLeft = this.#gapFrames;
      c.done(true);
    }
    return slot;
  }
}

/**
 * Turns received telephone-event packets into digits: one digit per event timestamp, reported
 * on its end packet (retransmitted end packets are ignored), or when a new event starts
 * while the previous one never showed its end.
 */
export class DtmfReceiver {
  readonly #reported: number[] = [];
  #current: { timestamp: number; event: number; duration: number } | undefined;

  receive(timestamp: number, payload: Uint8Array): DtmfEvent[] {
    const e = parseTelephoneEvent(payload);
    if (!e || eventToDigit(e.event) === undefined) return [];
    const ts = timestamp >>> 0;
    if (this.#reported.includes(ts)) return [];
    const out: DtmfEvent[] = [];
    if (this.#current && this.#current.timestamp !== ts) out.push(...this.#finish());
    this.#current = { timestamp: ts, event: e.event, duration: Math.max(e.duration, this.#current?.duration ?? 0) };
    if (e.end) out.push(...this.#finish());
    return out;
  }

  /** Reports an event whose end never arrived (call at stream end). */
  flush(): DtmfEvent[] {
    return this.#current ? this.#finish() : [];
  }

  #finish(): DtmfEvent[] {
    const c = this.#current!;
    this.#current = undefined;
    this.#reported.push(c.timestamp);
    if (this.#reported.length > 16) this.#reported.shift();
    return [{ digit: eventToDigit(c.event)!, durationMs: c.duration / SAMPLES_PER_MS }];
  }
}
