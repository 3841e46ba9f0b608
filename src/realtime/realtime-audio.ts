import { FrameChunker } from '../audio/frame-chunker';
import { TELEPHONY_RATE_HZ } from '../audio/frame';
import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from '../audio/g711';
import { StreamingResampler } from '../audio/resampler';
import type { RealtimeAudioSpec } from './realtime-query';

/** Bytes of a base64 `audio` field → 16-bit samples at the spec's rate. */
function decodeWire(spec: RealtimeAudioSpec, bytes: Buffer): Int16Array {
  if (spec.format === 'g711_ulaw') return decodeMulaw(bytes);
  if (spec.format === 'g711_alaw') return decodeAlaw(bytes);
  const n = Math.floor(bytes.length / 2);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

function encodeWire(spec: RealtimeAudioSpec, pcm: Int16Array): Buffer {
  if (spec.format === 'g711_ulaw') return Buffer.from(encodeMulaw(pcm));
  if (spec.format === 'g711_alaw') return Buffer.from(encodeAlaw(pcm));
  const out = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) out.writeInt16LE(pcm[i]!, i * 2);
  return out;
}

/**
 * Client audio (`input_audio_buffer.append`, base64 in any chunking) → the pipeline's 20 ms
 * 8 kHz frames. Streaming: the resampler and the frame chunker carry their state across chunks.
 */
export class RealtimeAudioIn {
  readonly #spec: RealtimeAudioSpec;
  readonly #resampler: StreamingResampler | undefined;
  readonly #chunker = new FrameChunker();
  /** An odd trailing byte of a pcm16 chunk waits for the next one. */
  #carry: Buffer = Buffer.alloc(0);

  constructor(spec: RealtimeAudioSpec) {
    this.#spec = spec;
    if (spec.rateHz !== TELEPHONY_RATE_HZ) this.#resampler = new StreamingResampler(spec.rateHz, TELEPHONY_RATE_HZ);
  }

  /** Decodes one base64 chunk; returns the whole frames it completes. Throws on text that is not base64. */
  push(base64: string): Int16Array[] {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new Error('audio must be base64');
    let bytes = Buffer.concat([this.#carry, Buffer.from(base64, 'base64')]);
    if (this.#spec.format === 'pcm16' && bytes.length % 2 === 1) {
      this.#carry = bytes.subarray(bytes.length - 1);
      bytes = bytes.subarray(0, bytes.length - 1);
    } else this.#carry = Buffer.alloc(0);
    const wire = decodeWire(this.#spec, bytes);
    const narrow = this.#resampler ? this.#resampler.process(wire) : wire;
    return this.#chunker.push(narrow);
  }

  /** Drops what is buffered (input_audio_buffer.clear). */
  clear(): void {
    this.#chunker.clear();
    this.#carry = Buffer.alloc(0);
  }

  close(): void {
    this.#resampler?.close();
  }
}

/** The agent's 8 kHz frames → base64 chunks for `response.output_audio.delta` at the client's format. */
export class RealtimeAudioOut {
  readonly #spec: RealtimeAudioSpec;
  #resampler: StreamingResampler | undefined;

  constructor(spec: RealtimeAudioSpec) {
    this.#spec = spec;
    this.#resampler = this.#newResampler();
  }

  /** Milliseconds of wire audio in a base64 chunk made by encode(). */
  msOf(base64: string): number {
    const bytes = Math.floor((base64.length * 3) / 4) - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
    const samples = this.#spec.format === 'pcm16' ? bytes / 2 : bytes;
    return (samples / this.#spec.rateHz) * 1000;
  }

  encode(frame: Int16Array): string {
    const wide = this.#resampler ? this.#resampler.process(frame) : frame;
    return encodeWire(this.#spec, wide).toString('base64');
  }

  /** A new answer starts: no filter state carries over from audio that was cut off. */
  reset(): void {
    this.#resampler?.close();
    this.#resampler = this.#newResampler();
  }

  close(): void {
    this.#resampler?.close();
  }

  #newResampler(): StreamingResampler | undefined {
    return this.#spec.rateHz === TELEPHONY_RATE_HZ
      ? undefined
      : new StreamingResampler(TELEPHONY_RATE_HZ, this.#spec.rateHz);
  }
}
