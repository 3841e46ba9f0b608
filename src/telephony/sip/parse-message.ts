import { SipHeaders } from './headers';
import type { SipMessage } from './message';

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; reason: string };

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const MAX_MESSAGE_BYTES = 65_535;

/** Index just past the blank line ending the header block (CRLFCRLF, or bare LFLF), or -1. */
export function findHeaderEnd(buf: Buffer, from = 0): { headerEnd: number; bodyStart: number } | null {
  for (let i = from; i < buf.length - 1; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return { headerEnd: i, bodyStart: i + 2 };
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return { headerEnd: i, bodyStart: i + 3 };
  }
  return null;
}

function fail(reason: string): ParseResult {
  return { ok: false, reason };
}

/**
 * Parses one complete SIP message (a UDP datagram, or a frame cut by SipStreamFramer).
 * Never throws: malformed input yields `{ ok: false, reason }`.
 */
export function parseMessage(buf: Buffer): ParseResult {
  try {
    return parseUnsafe(buf);
  } catch (err) {
    return fail(`unparseable message: ${(err as Error).message}`);
  }
}

function parseUnsafe(input: Buffer): ParseResult {
  if (input.length > MAX_MESSAGE_BYTES) return fail('message too large');
  let offset = 0;
  while (offset < input.length && (input[offset] === 0x0d || input[offset] === 0x0a)) offset++; // RFC 3261 §7.5
  const buf = input.subarray(offset);
  if (buf.length === 0) return fail('empty message');
  const end = findHeaderEnd(buf);
  if (!end) return fail('no blank line after headers');
  const head = buf.subarray(0, end.headerEnd).toString('utf8');
  if (head.includes('\0')) return fail('NUL byte in headers');
  const rawLines = head.split(/\r?\n/);
  const startLine = rawLines.shift() ?? '';
  const lines: string[] = [];
  for (const line of rawLines) {
    if (/^[ \t]/.test(line)) {
      if (lines.length === 0) return fail('continuation line before any header');
      lines[lines.length - 1] += ' ' + line.trim();
    } else lines.push(line);
  }
  const headers = new SipHeaders();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return fail(`header line without name or colon: ${JSON.stringify(line.slice(0, 40))}`);
    const name = line.slice(0, colon).trim();
    if (!TOKEN.test(name)) return fail(`invalid header name ${JSON.stringify(name.slice(0, 40))}`);
    headers.append(name, line.slice(colon + 1).trim());
  }
  let body = buf.subarray(end.bodyStart);
  const cl = headers.getAll('Content-Length');
  if (cl.length > 1 && new Set(cl).size > 1) return fail('conflicting Content-Length headers');
  if (cl[0] !== undefined) {
    if (!/^\d{1,7}$/.test(cl[0])) return fail(`invalid Content-Length ${JSON.stringify(cl[0])}`);
    const len = Number(cl[0]);
    if (len > body.length) return fail(`Content-Length ${len} exceeds the ${body.length} body bytes received`);
    body = body.subarray(0, len);
  }
  for (const required of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    if (!headers.has(required)) return fail(`missing ${required} header`);
  }
  const cseq = /^(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)$/.exec(headers.get('CSeq') ?? '');
  if (!cseq || Number(cseq[1]) > 0x7fffffff) return fail('invalid CSeq');
  const maxFwd = headers.get('Max-Forwards');
  if (maxFwd !== undefined && !/^\d{1,3}$/.test(maxFwd)) return fail('invalid Max-Forwards');

  if (startLine.startsWith('SIP/')) {
    const m = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/.exec(startLine);
    if (!m) return fail(`invalid status line ${JSON.stringify(startLine.slice(0, 60))}`);
    return { ok: true, message: { kind: 'response', status: Number(m[1]), reason: m[2] ?? '', headers, body } };
  }
  const parts = startLine.split(' ');
  if (parts.length !== 3) return fail(`invalid request line ${JSON.stringify(startLine.slice(0, 60))}`);
  const [method = '', uri = '', version = ''] = parts;
  if (!TOKEN.test(method)) return fail('invalid method');
  if (version.toUpperCase() !== 'SIP/2.0')
    return fail(`unsupported SIP version ${JSON.stringify(version.slice(0, 20))}`);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri)) return fail('invalid Request-URI');
  if (cseq[2] !== method) return fail('CSeq method does not match the request method');
  return { ok: true, message: { kind: 'request', method, uri, headers, body } };
}
