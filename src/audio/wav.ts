/**
 * 16-bit PCM WAV: the canonical 44-byte header (mono files for STT, the recorder's stereo file),
 * whole-file encode/decode, and a header parser that works on the first bytes of a stream.
 * Kept instead of `wavefile` because it is ~18× faster for our one format and byte-identical to
 * it (`wav.test.ts` checks it against wavefile, `bench/audio-libs.bench.ts` measures both).
 */

/** Size of the header written by wavHeader() / encodeWav(): data starts at this byte. */
export const WAV_HEADER_BYTES = 44;

/** The canonical RIFF/WAVE header for 16-bit PCM (`dataBytes` of samples follow it). */
export function wavHeader(sampleRateHz: number, channels: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  const blockAlign = channels * 2;
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRateHz, 24);
  h.writeUInt32LE(sampleRateHz * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** A 16-bit little-endian WAV file of `pcm` (interleaved when channels > 1) at `sampleRateHz`. */
export function encodeWav(pcm: Int16Array, sampleRateHz: number, channels = 1): Buffer {
  const dataBytes = pcm.length * 2;
  const buf = Buffer.allocUnsafe(WAV_HEADER_BYTES + dataBytes);
  wavHeader(sampleRateHz, channels, dataBytes).copy(buf, 0);
  for (let i = 0; i < pcm.length; i++) buf.writeInt16LE(pcm[i]!, WAV_HEADER_BYTES + i * 2);
  return buf;
}

export interface WavHeader {
  sampleRateHz: number;
  channels: number;
  bitsPerSample: number;
  /** Byte offset where the samples start. */
  dataOffset: number;
  /** Size the data chunk declares (a streaming placeholder such as 0x7ffff000 when written to a pipe). */
  dataBytes: number;
}

/**
 * Parses the RIFF header from the first bytes of a WAV stream. Returns undefined while more bytes
 * are needed. Only 16-bit PCM is accepted. Sizes are not trusted: engines writing to a pipe put
 * placeholders there (espeak-ng writes 0x7ffff000), so readers take samples until EOF.
 */
export function parseWavHeader(head: Buffer): WavHeader | undefined {
  if (head.length < 12) return undefined;
  if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('not a RIFF/WAVE stream');
  let off = 12;
  let fmt: Omit<WavHeader, 'dataOffset' | 'dataBytes'> | undefined;
  while (off + 8 <= head.length) {
    const id = head.toString('ascii', off, off + 4);
    const size = head.readUInt32LE(off + 4);
    if (id === 'data') {
      if (!fmt) throw new Error('WAV data chunk before fmt chunk');
      return { ...fmt, dataOffset: off + 8, dataBytes: size };
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

/** The header of a whole WAV file (throws when there is no data chunk). */
export function readWavInfo(file: Buffer): WavHeader {
  const h = parseWavHeader(file);
  if (!h) throw new Error('truncated WAV file: no data chunk');
  return h;
}

/** Decodes a whole mono/stereo 16-bit WAV file (first channel) into samples. */
export function decodeWav(file: Buffer): { sampleRateHz: number; samples: Int16Array } {
  const h = readWavInfo(file);
  const frameBytes = 2 * h.channels;
  const count = Math.floor((file.length - h.dataOffset) / frameBytes);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) samples[i] = file.readInt16LE(h.dataOffset + i * frameBytes);
  return { sampleRateHz: h.sampleRateHz, samples };
}
