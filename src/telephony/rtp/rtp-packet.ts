/** RTP fixed header (RFC 3550 §5.1): parse and serialize, with CSRCs, extension and padding. */

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  /** 16-bit, wraps 65535 → 0. */
  sequenceNumber: number;
  /** 32-bit unsigned, wraps. */
  timestamp: number;
  ssrc: number;
  csrcs?: number[];
  payload: Uint8Array;
}

export const RTP_HEADER_BYTES = 12;

export type RtpParseResult = { ok: true; packet: RtpPacket } | { ok: false; reason: string };

/** Big-endian 32-bit unsigned at `at` (no DataView: parsing a packet allocates only its result). */
function u32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

function putU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

/**
 * Writes a 12-byte fixed header (no CSRC, extension or padding) at the start of `out`: the send
 * path fills a preallocated packet in place (header here, payload after it) instead of building one.
 */
export function writeRtpHeader(
  out: Uint8Array,
  marker: boolean,
  payloadType: number,
  sequenceNumber: number,
  timestamp: number,
  ssrc: number,
): void {
  out[0] = 0x80;
  out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  out[2] = (sequenceNumber >>> 8) & 0xff;
  out[3] = sequenceNumber & 0xff;
  putU32(out, 4, timestamp >>> 0);
  putU32(out, 8, ssrc >>> 0);
}

export function parseRtpPacket(buf: Uint8Array): RtpParseResult {
  if (buf.length < RTP_HEADER_BYTES) return { ok: false, reason: 'shorter than an RTP header' };
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  if (b0 >> 6 !== 2) return { ok: false, reason: 'not RTP version 2' };
  const payloadType = b1 & 0x7f;
  if (payloadType >= 72 && payloadType <= 76) return { ok: false, reason: 'RTCP packet' };
  const csrcCount = b0 & 0x0f;
  let offset = RTP_HEADER_BYTES + 4 * csrcCount;
  if (buf.length < offset) return { ok: false, reason: 'truncated CSRC list' };
  let csrcs: number[] | undefined;
  for (let i = 0; i < csrcCount; i++) (csrcs ??= []).push(u32(buf, RTP_HEADER_BYTES + 4 * i));
  if ((b0 & 0x10) !== 0) {
    if (buf.length < offset + 4) return { ok: false, reason: 'truncated header extension' };
    offset += 4 + 4 * ((buf[offset + 2]! << 8) | buf[offset + 3]!);
    if (buf.length < offset) return { ok: false, reason: 'truncated header extension' };
  }
  let end = buf.length;
  if ((b0 & 0x20) !== 0) {
    const pad = buf[buf.length - 1]!;
    if (pad === 0 || offset + pad > buf.length) return { ok: false, reason: 'bad padding' };
    end -= pad;
  }
  return {
    ok: true,
    packet: {
      marker: (b1 & 0x80) !== 0,
      payloadType,
      sequenceNumber: (buf[2]! << 8) | buf[3]!,
      timestamp: u32(buf, 4),
      ssrc: u32(buf, 8),
      ...(csrcs ? { csrcs } : {}),
      payload: buf.subarray(offset, end),
    },
  };
}

export function serializeRtpPacket(p: RtpPacket): Buffer {
  const csrcs = p.csrcs ?? [];
  if (csrcs.length > 15) throw new RangeError('at most 15 CSRCs');
  const headerBytes = RTP_HEADER_BYTES + 4 * csrcs.length;
  const out = Buffer.allocUnsafe(headerBytes + p.payload.length);
  out[0] = 0x80 | csrcs.length;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  csrcs.forEach((c, i) => out.writeUInt32BE(c >>> 0, RTP_HEADER_BYTES + 4 * i));
  out.set(p.payload, headerBytes);
  return out;
}

/** Signed distance a → b in 16-bit sequence space (−32768..32767). */
export function seqDelta(a: number, b: number): number {
  return (((b - a) & 0xffff) << 16) >> 16;
}

/** Signed distance a → b in 32-bit timestamp space. */
export function tsDelta(a: number, b: number): number {
  return (b - a) | 0;
}
