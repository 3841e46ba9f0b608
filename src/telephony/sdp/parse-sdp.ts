import type { MediaDirection, SdpConnection, SdpMedia, SessionDescription } from './sdp-types';

const DIRECTIONS = new Set<string>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

export class SdpParseError extends Error {
  override readonly name = 'SdpParseError';
}

function parseConnection(value: string): SdpConnection {
  const [net, addrType, address] = value.split(/\s+/);
  if (net !== 'IN' || (addrType !== 'IP4' && addrType !== 'IP6') || !address)
    throw new SdpParseError(`bad c= line "${value}"`);
  return { addressType: addrType, address: address.split('/')[0]! }; // drop multicast TTL suffix
}

function parseMediaLine(value: string): SdpMedia {
  const parts = value.split(/\s+/);
  if (parts.length < 4) throw new SdpParseError(`bad m= line "${value}"`);
  const port = Number(parts[1]!.split('/')[0]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SdpParseError(`bad port in m= line "${value}"`);
  return {
    type: parts[0]!,
    port,
    proto: parts[2]!,
    formats: parts.slice(3),
    rtpmaps: [],
    fmtps: new Map(),
    attributes: [],
  };
}

function applyMediaAttribute(m: SdpMedia, name: string, value: string): void {
  m.attributes.push([name, value]);
  if (name === 'rtpmap') {
    const match = /^(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(value);
    if (!match) throw new SdpParseError(`bad a=rtpmap "${value}"`);
    m.rtpmaps.push({
      payloadType: Number(match[1]),
      encoding: match[2]!,
      clockRate: Number(match[3]),
      ...(match[4] ? { channels: Number(match[4]) } : {}),
    });
  } else if (name === 'fmtp') {
    const match = /^(\d+)\s+(.*)$/.exec(value);
    if (match) m.fmtps.set(Number(match[1]), match[2]!.trim());
  } else if (name === 'ptime') {
    const ms = Number(value);
    if (Number.isFinite(ms) && ms > 0) m.ptimeMs = ms;
  } else if (DIRECTIONS.has(name)) {
    m.direction = name as MediaDirection;
  }
}

/**
 * Parses an SDP body (RFC 4566). Accepts CRLF or LF line ends and unknown lines; throws
 * SdpParseError for input that is not SDP (no v=0, no o=, malformed c=/m=/rtpmap lines).
 */
export function parseSdp(text: string): SessionDescription {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines[0] !== 'v=0') throw new SdpParseError('SDP must start with v=0');
  let origin: SessionDescription['origin'] | undefined;
  let sessionName = '';
  let connection: SdpConnection | undefined;
  let direction: MediaDirection | undefined;
  const media: SdpMedia[] = [];
  for (const line of lines.slice(1)) {
    if (line[1] !== '=') throw new SdpParseError(`bad SDP line "${line.slice(0, 40)}"`);
    const type = line[0]!;
    const value = line.slice(2);
    const current = media[media.length - 1];
    if (type === 'm') {
      media.push(parseMediaLine(value));
    } else if (type === 'c') {
      if (current) current.connection = parseConnection(value);
      else connection = parseConnection(value);
    } else if (type === 'o') {
      const [username, sessionId, sessionVersion, , addressType, address] = value.split(/\s+/);
      if (!username || !sessionId || !sessionVersion || !addressType || !address)
        throw new SdpParseError(`bad o= line "${value}"`);
      origin = { username, sessionId, sessionVersion, addressType, address };
    } else if (type === 's' && !current) {
      sessionName = value;
    } else if (type === 'a') {
      const colon = value.indexOf(':');
      const name = colon < 0 ? value : value.slice(0, colon);
      const attrValue = colon < 0 ? '' : value.slice(colon + 1);
      if (current) applyMediaAttribute(current, name, attrValue);
      else if (DIRECTIONS.has(name)) direction = name as MediaDirection;
    }
  }
  if (!origin) throw new SdpParseError('SDP has no o= line');
  return { origin, sessionName, ...(connection ? { connection } : {}), ...(direction ? { direction } : {}), media };
}
