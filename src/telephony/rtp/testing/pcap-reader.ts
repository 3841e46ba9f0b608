import { readFileSync } from 'node:fs';

export interface UdpDatagram {
  timeMs: number;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

/**
 * Reads the UDP datagrams of a classic libpcap file (Ethernet, Linux cooked or raw IPv4 links),
 * for tests that replay sipp's capture files into our decoders.
 */
export function readPcapUdp(path: string): UdpDatagram[] {
  const buf = readFileSync(path);
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d)
    throw new Error('not a pcap file');
  const nano = (le ? magic : buf.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20);
  const out: UdpDatagram[] = [];
  let offset = 24;
  while (offset + 16 <= buf.length) {
    const timeMs = u32(offset) * 1000 + u32(offset + 4) / (nano ? 1e6 : 1e3);
    const capLen = u32(offset + 8);
    const frame = buf.subarray(offset + 16, offset + 16 + capLen);
    offset += 16 + capLen;
    let ip: number;
    if (linkType === 1)
      ip = frame.readUInt16BE(12) === 0x8100 ? 18 : 14; // Ethernet (optionally VLAN-tagged)
    else if (linkType === 113)
      ip = 16; // Linux cooked capture
    else if (linkType === 101 || linkType === 228)
      ip = 0; // raw IPv4
    else throw new Error(`unsupported pcap link type ${linkType}`);
    if (frame.length < ip + 20 || frame[ip]! >> 4 !== 4 || frame[ip + 9] !== 17) continue; // IPv4 + UDP only
    const udp = ip + (frame[ip]! & 0x0f) * 4;
    const udpLen = frame.readUInt16BE(udp + 4);
    out.push({
      timeMs,
      srcPort: frame.readUInt16BE(udp),
      dstPort: frame.readUInt16BE(udp + 2),
      payload: Buffer.from(frame.subarray(udp + 8, udp + udpLen)),
    });
  }
  return out;
}
