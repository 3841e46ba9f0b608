import { close as closeFd, open, write } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { systemClock, type Clock } from '../../shared/clock';
import { silentLogger, type Logger } from '../../shared/log';
import { TELEPHONY_RATE_HZ } from '../../audio/frame';
import { WAV_HEADER_BYTES, wavHeader } from '../../audio/wav';

export interface CallRecorderOptions {
  path: string;
  sampleRateHz?: number;
  /** 2 = stereo (left far end, right agent), 1 = both mixed into mono. */
  channels?: 1 | 2;
  clock?: Clock;
  log?: Logger;
}

export interface RecordingResult {
  path: string;
  durationMs: number;
  dataBytes: number;
}

/** How far a silent side is filled with silence behind the live one (ms). */
const HOLDBACK_MS = 200;
/** A frame arriving later than this after its side's last one starts a new burst at "now" (ms). */
const LATE_SLACK_MS = 60;
const FLUSH_BYTES = 32 * 1024;

/** Writes all of `data` at `position` of `fd`, off the thread. */
function writeAt(fd: number, data: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) =>
    write(fd, data, 0, data.length, position, (err) => (err ? reject(err) : resolve())),
  );
}

/**
 * One side of the call on the recording's timeline. Samples placed but not written yet live in
 * one reusable buffer (grown when a burst needs it): recording allocates nothing per frame, so
 * a media worker recording 100 calls does not pay a major GC every half second for garbage
 * typed arrays (each one an off-heap backing store).
 */
class Track {
  /** Absolute sample index just past the last sample placed. */
  cursor = 0;
  /** Pending samples are buf[head, head + pendingSamples), starting at the recorder's written position. */
  buf = new Int16Array(4096);
  head = 0;
  pendingSamples = 0;

  /** A frame handed over at nowPos starts there, unless this side is already further (a burst). */
  place(frame: Int16Array, nowPos: number, slack: number): void {
    if (this.cursor < nowPos - slack) this.pad(nowPos - this.cursor);
    this.#reserve(frame.length);
    this.buf.set(frame, this.head + this.pendingSamples);
    this.pendingSamples += frame.length;
    this.cursor += frame.length;
  }

  pad(samples: number): void {
    if (samples <= 0) return;
    this.#reserve(samples);
    const at = this.head + this.pendingSamples;
    this.buf.fill(0, at, at + samples);
    this.pendingSamples += samples;
    this.cursor += samples;
  }

  /** Drops n samples from the front (they were written out). */
  consume(n: number): void {
    this.head += n;
    this.pendingSamples -= n;
    if (this.pendingSamples === 0) this.head = 0;
  }

  #reserve(samples: number): void {
    if (this.head + this.pendingSamples + samples <= this.buf.length) return;
    const need = this.pendingSamples + samples;
    if (need <= this.buf.length) this.buf.copyWithin(0, this.head, this.head + this.pendingSamples);
    else {
      const grown = new Int16Array(Math.max(2 * this.buf.length, need));
      grown.set(this.buf.subarray(this.head, this.head + this.pendingSamples));
      this.buf = grown;
    }
    this.head = 0;
  }
}

/**
 * Records both directions of a call into one WAV file, streaming to disk. Frames are placed on
 * a common timeline by arrival time (monotonic clock), so the two sides stay aligned even when
 * one of them is silent for a while; bursts written faster than real time queue up after each
 * other. The header's sizes are filled in by close().
 */
export class CallRecorder {
  readonly path: string;
  readonly sampleRateHz: number;
  readonly channels: 1 | 2;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #startMs: number;
  readonly #inbound = new Track();
  readonly #outbound = new Track();
  /** Set once the file is open (opening never blocks the thread: a media worker's clock runs on it). */
  #fd: number | undefined;
  #written = 0;
  #dataBytes = 0;
  #chain: Promise<void> = Promise.resolve();
  /** The chunk being filled, and chunks whose write completed (reused, not reallocated). */
  #chunk: Buffer = Buffer.allocUnsafeSlow(FLUSH_BYTES);
  #chunkBytes = 0;
  readonly #freeChunks: Buffer[] = [];
  #error: unknown;
  #closing: Promise<RecordingResult> | undefined;

  constructor(options: CallRecorderOptions) {
    this.path = options.path;
    this.sampleRateHz = options.sampleRateHz ?? TELEPHONY_RATE_HZ;
    this.channels = options.channels ?? 2;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? silentLogger;
    this.#startMs = this.#clock.monotonicMs();
    // Frames are taken at once; the chunks written wait for the file behind this.
    this.#chain = this.#open().catch((err: unknown) => {
      this.#error = err;
      this.#log.error({ path: this.path, err }, 'recording could not open its file');
    });
  }

  /** Far-end audio (left channel). */
  writeInbound(frame: Int16Array): void {
    this.#write(this.#inbound, frame);
  }

  /** Agent audio (right channel); feed it from the RTP session's 'sent' event for exact timing. */
  writeOutbound(frame: Int16Array): void {
    this.#write(this.#outbound, frame);
  }

  /** Flushes, fills in the header and closes the file. Idempotent. */
  close(): Promise<RecordingResult> {
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  async #open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const fd = await new Promise<number>((resolve, reject) =>
      open(this.path, 'w', (err, opened) => (err ? reject(err) : resolve(opened))),
    );
    try {
      await writeAt(fd, wavHeader(this.sampleRateHz, this.channels, 0), 0);
    } catch (err) {
      closeFd(fd, () => undefined);
      throw err;
    }
    this.#fd = fd;
  }

  #nowPos(): number {
    return Math.round(((this.#clock.monotonicMs() - this.#startMs) * this.sampleRateHz) / 1000);
  }

  #write(track: Track, frame: Int16Array): void {
    if (this.#closing || frame.length === 0) return;
    const now = this.#nowPos();
    track.place(frame, now, Math.round((LATE_SLACK_MS * this.sampleRateHz) / 1000));
    const settled = now - Math.round((HOLDBACK_MS * this.sampleRateHz) / 1000);
    if (this.#inbound.cursor < settled) this.#inbound.pad(settled - this.#inbound.cursor);
    if (this.#outbound.cursor < settled) this.#outbound.pad(settled - this.#outbound.cursor);
    this.#emit(Math.min(this.#inbound.cursor, this.#outbound.cursor));
  }

  /** Interleaves (or mixes) both tracks up to absolute sample `upTo` into the chunk, writing each full one. */
  #emit(upTo: number): void {
    const n = upTo - this.#written;
    if (n <= 0) return;
    const l = this.#inbound;
    const r = this.#outbound;
    const bytesPerSample = 2 * this.channels;
    let done = 0;
    while (done < n) {
      const k = Math.min(n - done, (FLUSH_BYTES - this.#chunkBytes) / bytesPerSample);
      const out = this.#chunk;
      let at = this.#chunkBytes;
      const li = l.head + done;
      const ri = r.head + done;
      for (let i = 0; i < k; i++) {
        if (this.channels === 2) {
          out.writeInt16LE(l.buf[li + i]!, at);
          out.writeInt16LE(r.buf[ri + i]!, at + 2);
          at += 4;
        } else {
          out.writeInt16LE(Math.max(-32768, Math.min(32767, l.buf[li + i]! + r.buf[ri + i]!)), at);
          at += 2;
        }
      }
      this.#chunkBytes = at;
      done += k;
      if (this.#chunkBytes === FLUSH_BYTES) this.#flush();
    }
    l.consume(n);
    r.consume(n);
    this.#written = upTo;
  }

  #flush(): void {
    if (this.#chunkBytes === 0) return;
    const chunk = this.#chunk;
    const length = this.#chunkBytes;
    this.#chunk = this.#freeChunks.pop() ?? Buffer.allocUnsafeSlow(FLUSH_BYTES);
    this.#chunkBytes = 0;
    const position = WAV_HEADER_BYTES + this.#dataBytes;
    this.#dataBytes += length;
    this.#chain = this.#chain.then(async () => {
      // No file (it could not be opened: close() reports that): the chunk is only recycled.
      if (this.#fd !== undefined)
        await writeAt(this.#fd, chunk.subarray(0, length), position).catch((err: unknown) => {
          if (this.#error !== undefined) return;
          this.#error = err;
          this.#log.error({ path: this.path, err }, 'recording write failed');
        });
      this.#freeChunks.push(chunk);
    });
  }

  async #finish(): Promise<RecordingResult> {
    const end = Math.max(this.#inbound.cursor, this.#outbound.cursor);
    this.#inbound.pad(end - this.#inbound.cursor);
    this.#outbound.pad(end - this.#outbound.cursor);
    this.#emit(end);
    this.#flush();
    await this.#chain;
    const fd = this.#fd;
    if (fd === undefined) throw this.#error;
    try {
      await writeAt(fd, wavHeader(this.sampleRateHz, this.channels, this.#dataBytes), 0);
    } finally {
      await new Promise<void>((resolve) => closeFd(fd, () => resolve()));
    }
    if (this.#error !== undefined) this.#log.warn({ path: this.path }, 'recording incomplete');
    return {
      path: this.path,
      durationMs: Math.round((this.#written * 1000) / this.sampleRateHz),
      dataBytes: this.#dataBytes,
    };
  }
}
