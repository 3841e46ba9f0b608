/**
 * G.711 (ITU-T) µ-law and A-law companding between 16-bit linear PCM and 8-bit codes.
 * Decoding uses 256-entry tables; encoding uses 64 Ki-entry tables built once on first use
 * (a single indexed load per sample on the hot path). Kept instead of `alawmulaw` because it is
 * faster on the RTP hot path (`bench/audio-libs.bench.ts`); `g711.test.ts` checks every code and
 * every 16-bit sample against alawmulaw (a devDependency: the test oracle only).
 */

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

/** Encodes one linear sample (−32768..32767) to a µ-law code. */
export function mulawFromLinear(sample: number): number {
  let s = sample | 0;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > MULAW_CLIP) s = MULAW_CLIP;
  s += MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** Decodes one µ-law code to a linear sample. */
export function linearFromMulaw(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
  return (u & 0x80) !== 0 ? -magnitude : magnitude;
}

/** Encodes one linear sample to an A-law code (even bits inverted, as on the wire). */
export function alawFromLinear(sample: number): number {
  let v = (sample | 0) >> 3; // A-law works on 13-bit magnitudes
  let mask: number;
  if (v >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    v = -v - 1;
  }
  let segment = 0;
  while (segment < 8 && v > (0x20 << segment) - 1) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (v >> 1) & 0x0f : (v >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

/** Decodes one A-law code to a linear sample. */
export function linearFromAlaw(code: number): number {
  const a = (code ^ 0x55) & 0xff;
  const segment = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  if (segment === 0) t += 8;
  else t = (t + 0x108) << (segment - 1);
  return (a & 0x80) !== 0 ? t : -t;
}

const MULAW_DECODE = Int16Array.from({ length: 256 }, (_, i) => linearFromMulaw(i));
const ALAW_DECODE = Int16Array.from({ length: 256 }, (_, i) => linearFromAlaw(i));
let mulawEncodeTable: Uint8Array | undefined;
let alawEncodeTable: Uint8Array | undefined;

function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode(i - 32768);
  return table;
}

function encodeWith(table: Uint8Array, pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length)): Uint8Array {
  for (let i = 0; i < pcm.length; i++) out[i] = table[pcm[i]! + 32768]!;
  return out;
}

function decodeWith(table: Int16Array, codes: Uint8Array, out: Int16Array = new Int16Array(codes.length)): Int16Array {
  for (let i = 0; i < codes.length; i++) out[i] = table[codes[i]!]!;
  return out;
}

export function encodeMulaw(pcm: Int16Array): Uint8Array {
  return encodeWith((mulawEncodeTable ??= buildEncodeTable(mulawFromLinear)), pcm);
}

export function decodeMulaw(codes: Uint8Array): Int16Array {
  return decodeWith(MULAW_DECODE, codes);
}

export function encodeAlaw(pcm: Int16Array): Uint8Array {
  return encodeWith((alawEncodeTable ??= buildEncodeTable(alawFromLinear)), pcm);
}

export function decodeAlaw(codes: Uint8Array): Int16Array {
  return decodeWith(ALAW_DECODE, codes);
}

export type G711Codec = 'PCMU' | 'PCMA';

/** The code for digital silence (linear 0) in each law. */
export const G711_SILENCE: Readonly<Record<G711Codec, number>> = { PCMU: 0xff, PCMA: 0xd5 };

export function encodeG711(codec: G711Codec, pcm: Int16Array): Uint8Array {
  return codec === 'PCMU' ? encodeMulaw(pcm) : encodeAlaw(pcm);
}

/**
 * Encodes into `out` (at least pcm.length bytes) instead of a new array: the RTP send path
 * encodes every frame into the packet it sends, so a frame allocates nothing.
 */
export function encodeG711Into(codec: G711Codec, pcm: Int16Array, out: Uint8Array): void {
  const table =
    codec === 'PCMU'
      ? (mulawEncodeTable ??= buildEncodeTable(mulawFromLinear))
      : (alawEncodeTable ??= buildEncodeTable(alawFromLinear));
  encodeWith(table, pcm, out);
}

export function decodeG711(codec: G711Codec, codes: Uint8Array): Int16Array {
  return codec === 'PCMU' ? decodeMulaw(codes) : decodeAlaw(codes);
}

/** Decodes into `out` (at least codes.length samples) and returns the decoded view of it. */
export function decodeG711Into(codec: G711Codec, codes: Uint8Array, out: Int16Array): Int16Array {
  const view = out.length === codes.length ? out : out.subarray(0, codes.length);
  return decodeWith(codec === 'PCMU' ? MULAW_DECODE : ALAW_DECODE, codes, view);
}
