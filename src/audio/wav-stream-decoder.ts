import { TELEPHONY_RATE_HZ } from './frame';
import { StreamingResampler } from './resampler';
import { parseWavHeader } from './wav';

/**
 * Turns a byte stream holding a 16-bit WAV file (a TTS engine's stdout, an HTTP body) into mono
 * samples at `outRateHz`, chunk by chunk: waits for the header, then decodes (first channel) and
 * resamples what arrives. end() returns the resampler's tail once the stream is over.
 */
export class WavStreamDecoder {
  #head = Buffer.alloc(0);
  #started = false;
  #channels = 1;
  #resampler: StreamingResampler | undefined;
  #carry = Buffer.alloc(0);

  constructor(readonly outRateHz = TELEPHONY_RATE_HZ) {}

  push(bytes: Buffer): Int16Array {
    let data = bytes;
    if (!this.#started) {
      this.#head = Buffer.concat([this.#head, bytes]);
      const h = parseWavHeader(this.#head);
      if (!h) {
        if (this.#head.length > 64 * 1024) throw new Error('WAV header not found');
        return new Int16Array(0);
      }
      this.#started = true;
      this.#channels = h.channels;
      this.#resampler = new StreamingResampler(h.sampleRateHz, this.outRateHz);
      data = this.#head.subarray(h.dataOffset);
      this.#head = Buffer.alloc(0);
    }
    if (!this.#resampler) throw new Error('the WAV stream has ended');
    const all = this.#carry.length > 0 ? Buffer.concat([this.#carry, data]) : data;
    const frameBytes = 2 * this.#channels;
    const usable = all.length - (all.length % frameBytes);
    this.#carry = Buffer.from(all.subarray(usable));
    const samples = new Int16Array(usable / frameBytes);
    for (let i = 0; i < samples.length; i++) samples[i] = all.readInt16LE(i * frameBytes);
    return this.#resampler.process(samples);
  }

  /** The stream is over: the last few ms the resampler held back (empty if nothing started). */
  end(): Int16Array {
    const r = this.#resampler;
    if (!r) return new Int16Array(0);
    this.#resampler = undefined;
    const tail = r.flush();
    r.close();
    return tail;
  }

  get started(): boolean {
    return this.#started;
  }
}
