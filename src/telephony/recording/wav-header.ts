/** The 44-byte canonical RIFF/WAVE header for 16-bit PCM. */
export function wavHeader(sampleRateHz: number, channels: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
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

export interface WavInfo {
  sampleRateHz: number;
  channels: number;
  bitsPerSample: number;
  dataBytes: number;
  dataOffset: number;
}

/** Reads the fmt and data chunks of a PCM WAV file's bytes (for tests and tools). */
export function readWavInfo(buf: Buffer): WavInfo {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('not a RIFF/WAVE file');
  let offset = 12;
  let fmt: Omit<WavInfo, 'dataBytes' | 'dataOffset'> | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    if (id === 'fmt ')
      fmt = {
        channels: buf.readUInt16LE(offset + 10),
        sampleRateHz: buf.readUInt32LE(offset + 12),
        bitsPerSample: buf.readUInt16LE(offset + 22),
      };
    if (id === 'data') {
      if (!fmt) throw new Error('data chunk before fmt chunk');
      return { ...fmt, dataBytes: size, dataOffset: offset + 8 };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}
