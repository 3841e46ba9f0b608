import { createHash } from 'node:crypto';
import type { SipRequest, SipResponse } from '../message';
import { tagOf } from '../name-addr';
import { BRANCH_MAGIC, formatVia, parseVia, type Via } from '../via';

/**
 * How messages find their transaction.
 *
 * Server side, RFC 3261 §17.2.3: a request whose top Via branch starts with the magic cookie
 * `z9hG4bK` (and has something after it) matches by branch AND sent-by AND method, an ACK
 * counting as INVITE and a CANCEL as itself. Without the cookie (RFC 2543 peers, RFC 4475 §3.2.1)
 * it matches by Request-URI, From tag, Call-ID, CSeq, top Via and To tag; an ACK's To tag is the
 * one of our response, so the ACK of an initial INVITE is looked up without it and checked against
 * the response (transaction-layer.ts).
 *
 * Client side, §17.1.3: a response matches by its top Via branch (ours) and CSeq method.
 *
 * Keys are hashes of those fields: fixed-size, and they keep no piece of the message alive.
 */
export type TransactionKey = string & { readonly transactionKey: unique symbol };

function hashed(parts: string[]): TransactionKey {
  return createHash('sha1').update(parts.join('\u0001')).digest('base64') as TransactionKey;
}

function topVia(msg: SipRequest | SipResponse): Via | null {
  return parseVia(msg.headers.get('Via') ?? '');
}

/** True for an RFC 3261 branch: the magic cookie followed by an actual transaction id. */
export function isRfc3261Branch(branch: string | null | undefined): branch is string {
  return typeof branch === 'string' && branch.startsWith(BRANCH_MAGIC) && branch.length > BRANCH_MAGIC.length;
}

function sentBy(via: Via): string {
  return `${via.host}:${via.port ?? (via.transport === 'TLS' ? 5061 : 5060)}`;
}

function cseqOf(msg: SipRequest | SipResponse): { number: string; method: string } {
  const [number = '', method = ''] = (msg.headers.get('CSeq') ?? '').trim().split(/\s+/);
  return { number: String(Number(number)), method };
}

/** A request we send (its top Via is ours). */
export function clientKeyOfRequest(req: SipRequest): TransactionKey {
  return hashed(['c', topVia(req)?.params.get('branch') ?? '', req.method]);
}

/** A response we receive: its top Via is the one we sent. */
export function clientKeyOfResponse(res: SipResponse): TransactionKey {
  return hashed(['c', topVia(res)?.params.get('branch') ?? '', cseqOf(res).method]);
}

/**
 * The server transaction key of `req` as if its method were `asMethod` (ACK and CANCEL look up
 * their INVITE). `toTag`: for RFC 2543 matching, the To tag to match (default: the request's).
 */
export function serverKey(req: SipRequest, asMethod: string, toTag?: string): TransactionKey {
  const via = topVia(req);
  const branch = via?.params.get('branch');
  if (via && isRfc3261Branch(branch)) return hashed(['s', branch, sentBy(via), asMethod]);
  const cseq = cseqOf(req);
  return hashed([
    's2543',
    req.uri,
    tagOf(req.headers.get('From')) ?? '',
    req.headers.get('Call-ID') ?? '',
    cseq.number,
    asMethod,
    toTag ?? tagOf(req.headers.get('To')) ?? '',
    via ? formatVia(via) : '',
  ]);
}

/** The key a new server transaction for `req` is stored under. */
export function serverKeyOf(req: SipRequest): TransactionKey {
  return serverKey(req, req.method);
}

/** Whether `req` is matched RFC 3261-style (by branch) rather than RFC 2543-style. */
export function hasRfc3261Branch(req: SipRequest): boolean {
  return isRfc3261Branch(topVia(req)?.params.get('branch'));
}

/** The INVITE server transaction a CANCEL refers to (RFC 3261 §9.2: same branch, or the 2543 fields). */
export function inviteKeyForCancel(cancel: SipRequest): TransactionKey {
  return serverKey(cancel, 'INVITE');
}
