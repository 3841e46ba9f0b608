import { SipHeaders } from './headers';
import type { SipMessage } from './message';
import { isValidNameAddr } from './name-addr';
import { parseVia } from './via';

/**
 * A request that could not be parsed, but whose header fields are known well enough to answer it
 * statelessly (RFC 3261 §8.2: 400 for malformed requests, §8.2.2 / §16.3: 505 for an unsupported
 * version). Absent for responses, ACKs (never answered) and messages without a header block.
 */
export interface RejectedRequest {
  status: 400 | 505;
  method: string;
  /** Every header field that could be read (Via, From, To, Call-ID, CSeq are what the answer copies). */
  headers: SipHeaders;
}

export type ParseResult =
  { ok: true; message: SipMessage } | { ok: false; reason: string; rejected?: RejectedRequest | undefined };

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const MAX_MESSAGE_BYTES = 65_535;
/** Header fields that may appear once (RFC 3261 §7.3.1: only list headers may repeat). */
const SINGLE_VALUED = ['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Type'];

/** Index just past the blank line ending the header block (CRLFCRLF, or bare LFLF), or null. */
export function findHeaderEnd(buf: Buffer, from = 0): { headerEnd: number; bodyStart: number } | null {
  for (let i = Math.max(0, from); i < buf.length - 1; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return { headerEnd: i, bodyStart: i + 2 };
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return { headerEnd: i, bodyStart: i + 3 };
  }
  return null;
}

/**
 * Parses one complete SIP message (a UDP datagram, or a frame cut by SipStreamFramer).
 * Never throws: malformed input yields `{ ok: false, reason }`, plus `rejected` when it is a
 * request the transport layer can answer with 400 / 505.
 */
export function parseMessage(buf: Buffer): ParseResult {
  try {
    return parseUnsafe(buf);
  } catch (err) {
    return { ok: false, reason: `unparseable message: ${(err as Error).message}` };
  }
}

/** True when `text` has a NUL outside a quoted string (RFC 3261 §25.1: only a quoted-pair may carry one). */
function hasBareNul(text: string): boolean {
  if (!text.includes('\0')) return false;
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuote && ch === '\\') i++;
    else if (ch === '"') inQuote = !inQuote;
    else if (ch === '\0') return true;
  }
  return false;
}

function parseUnsafe(input: Buffer): ParseResult {
  if (input.length > MAX_MESSAGE_BYTES) return { ok: false, reason: 'message too large' };
  let offset = 0;
  while (offset < input.length && (input[offset] === 0x0d || input[offset] === 0x0a)) offset++; // RFC 3261 §7.5
  const buf = input.subarray(offset);
  if (buf.length === 0) return { ok: false, reason: 'empty message' };
  const end = findHeaderEnd(buf);
  if (!end) return { ok: false, reason: 'no blank line after headers' };
  const head = buf.subarray(0, end.headerEnd).toString('utf8');
  const rawLines = head.split(/\r?\n/);
  const startLine = rawLines.shift() ?? '';
  const isResponse = startLine.startsWith('SIP/');

  // Header fields first, leniently (a bad line is remembered, not fatal), so that a malformed
  // request can still be answered with the Via, From, To, Call-ID and CSeq it carries.
  const headers = new SipHeaders();
  let problem: string | undefined;
  const lines: string[] = [];
  for (const line of rawLines) {
    if (/^[ \t]/.test(line)) {
      if (lines.length === 0) problem ??= 'continuation line before any header';
      else lines[lines.length - 1] += ' ' + line.trim();
    } else lines.push(line);
  }
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon <= 0 ? '' : line.slice(0, colon).trim();
    if (colon <= 0) problem ??= 'header line without name or colon';
    else if (!TOKEN.test(name)) problem ??= 'invalid header name';
    else {
      const value = line.slice(colon + 1).trim();
      if (hasBareNul(value)) problem ??= `NUL byte in the ${name} header outside a quoted string`;
      headers.append(name, value);
    }
  }

  const fail = (reason: string, status: 400 | 505 = 400): ParseResult => {
    if (isResponse) return { ok: false, reason };
    const method = startLine.split(' ')[0] ?? '';
    const answerable = method !== 'ACK' && TOKEN.test(method) && headers.has('Via');
    return { ok: false, reason, rejected: answerable ? { status, method, headers } : undefined };
  };

  // The start line.
  if (startLine.includes('\0')) return fail('NUL byte in the start line');
  let request: { method: string; uri: string } | undefined;
  let status: { code: number; reason: string } | undefined;
  if (isResponse) {
    const m = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/.exec(startLine);
    if (!m) return fail('invalid status line');
    status = { code: Number(m[1]), reason: m[2] ?? '' };
  } else {
    const parts = startLine.split(' ');
    if (parts.length !== 3) return fail('invalid request line');
    const [method = '', uri = '', version = ''] = parts;
    if (!TOKEN.test(method)) return fail('invalid method');
    if (!/^SIP\/\d+\.\d+$/i.test(version)) return fail('invalid request line');
    if (version.toUpperCase() !== 'SIP/2.0') return fail('SIP version not supported', 505);
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri)) return fail('invalid Request-URI');
    if (/^sips?:/i.test(uri) && uri.slice(uri.lastIndexOf('@') + 1).includes('?'))
      return fail('header fields in the Request-URI'); // RFC 3261 §19.1.1: not allowed there
    request = { method, uri };
  }
  if (problem) return fail(problem);

  // The header fields every message needs, each valid.
  for (const required of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    if (!headers.has(required)) return fail(`missing ${required} header`);
  }
  if (!parseVia(headers.get('Via') ?? '')) return fail('invalid Via header');
  for (const single of SINGLE_VALUED) {
    if (headers.getAll(single).length > 1) return fail(`more than one ${single} header`);
  }
  const cseq = /^(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)$/.exec(headers.get('CSeq') ?? '');
  if (!cseq || Number(cseq[1]) > 0x7fffffff) return fail('invalid CSeq');
  if (request && cseq[2] !== request.method) return fail('CSeq method does not match the request method');
  const maxFwd = headers.get('Max-Forwards');
  if (maxFwd !== undefined && !(/^\d{1,10}$/.test(maxFwd) && Number(maxFwd) <= 255))
    return fail('invalid Max-Forwards');
  if (!isValidNameAddr(headers.get('From') ?? '')) return fail('invalid From header');
  if (!isValidNameAddr(headers.get('To') ?? '')) return fail('invalid To header');

  let body = buf.subarray(end.bodyStart);
  const cl = headers.getAll('Content-Length');
  if (cl.length > 1 && new Set(cl).size > 1) return fail('conflicting Content-Length headers');
  if (cl[0] !== undefined) {
    if (!/^\d{1,7}$/.test(cl[0])) return fail('invalid Content-Length');
    const len = Number(cl[0]);
    if (len > body.length) return fail(`Content-Length ${len} exceeds the ${body.length} body bytes received`);
    body = body.subarray(0, len);
  }
  // A copy: the message must not keep the whole datagram (or TCP frame) alive.
  body = Buffer.from(body);

  if (status)
    return { ok: true, message: { kind: 'response', status: status.code, reason: status.reason, headers, body } };
  const { method, uri } = request ?? { method: '', uri: '' };
  return { ok: true, message: { kind: 'request', method, uri, headers, body } };
}
