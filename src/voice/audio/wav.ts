/** 16-bit PCM WAV helpers: encode a mono buffer, and parse a (possibly streaming) WAV header. */

export const FRAME_SAMPLES_8K = 160;
export const FRAME_MS = 20;

/** A mono 16-bit little-endian WAV file of `pcm` at `sampleRateHz`. */
export function encodeWav(pcm: Int16Array, sampleRateHz: number): Buffer {
  const dataBytes = pcm.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRateHz, 24);
  buf.writeUInt32LE(sampleRateHz * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < pcm.length; i++) buf.writeInt16LE(pcm[i]!, 44 + i * 2);
  return buf;
}

export interface WavHeader {
  sampleRateHz: number;
  channels: number;
  bitsPerSample: number;
  /** Byte offset where the samples start. */
  dataOffset: number;
}

/**
 * Parses the RIFF header from the first bytes of a WAV stream. Returns undefined while more bytes
 * are needed. Sizes are ignored: engines writing to a pipe put placeholders there (espeak-ng
 * writes 0x7ffff000), so samples are read until EOF.
 */
export function parseWavHeader(head: Buffer): WavHeader | undefined {
  if (head.length < 12) return undefined;
  if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('not a RIFF/WAVE stream');
  let off = 12;
  let fmt: Omit<WavHeader, 'dataOffset'> | undefined;
  while (off + 8 <= head.length) {
    const id = head.toString('ascii', off, off + 4);
    const size = head.readUInt32LE(off + 4);
    if (id === 'data') {
      if (!fmt) throw new Error('WAV data chunk before fmt chunk');
      return { ...fmt, dataOffset: off + 8 };
    }
    if (off + 8 + size > head.length) return undefined;
    if (id === 'fmt ') {
      const format = head.readUInt16LE(off + 8);
      if (format !== 1 && format !== 0xfffe) throw new Error(`unsupported WAV format ${format}`);
      fmt = {
        channels: head.readUInt16LE(off + 10),
        sampleRateHz: head.readUInt32LE(off + 12),
        bitsPerSample: head.readUInt16LE(off + 22),
      };
      if (fmt.bitsPerSample !== 16) throw new Error(`unsupported WAV sample size ${fmt.bitsPerSample}`);
    }
    off += 8 + size + (size % 2);
  }
  return undefined;
}

/** Decodes a whole mono/stereo 16-bit WAV file (first channel) into samples. */
export function decodeWav(file: Buffer): { sampleRateHz: number; samples: Int16Array } {
  const h = parseWavHeader(file);
  if (!h) throw new Error('truncated WAV file');
  const frameBytes = 2 * h.channels;
  const count = Math.floor((file.length - h.dataOffset) / frameBytes);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) samples[i] = file.readInt16LE(h.dataOffset + i * frameBytes);
  return { sampleRateHz: h.sampleRateHz, samples };
}

/** Little-endian 16-bit bytes → samples (an odd trailing byte must be kept by the caller). */
export function bytesToSamples(bytes: Buffer): Int16Array {
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

/** Splits samples into 20 ms frames of 8 kHz audio; the last partial frame is zero-padded. */
export function toFrames8k(samples: Int16Array): Int16Array[] {
  const frames: Int16Array[] = [];
  for (let i = 0; i < samples.length; i += FRAME_SAMPLES_8K) {
    const f = new Int16Array(FRAME_SAMPLES_8K);
    f.set(samples.subarray(i, Math.min(samples.length, i + FRAME_SAMPLES_8K)));
    frames.push(f);
  }
  return frames;
}
