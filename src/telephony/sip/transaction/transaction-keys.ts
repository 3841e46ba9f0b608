import type { SipRequest, SipResponse } from '../message';
import { parseVia } from '../via';

/**
 * How messages find their transaction: today the top Via branch plus the method (an ACK matches
 * its INVITE's server transaction, a response its CSeq method). RFC 3261 §17.1.3 / §17.2.3 also
 * compare the Via sent-by and fall back to RFC 2543 matching for branches without the magic
 * cookie; that change belongs here and only here.
 */
export type TransactionKey = string & { readonly transactionKey: unique symbol };

function key(branch: string, method: string): TransactionKey {
  return `${branch}|${method}` as TransactionKey;
}

function topBranch(msg: SipRequest | SipResponse): string {
  return parseVia(msg.headers.get('Via') ?? '')?.params.get('branch') ?? '';
}

/** A request we send (its top Via is ours). */
export function clientKeyOfRequest(req: SipRequest): TransactionKey {
  return key(topBranch(req), req.method);
}

/** A response we receive: its top Via is the one we sent. */
export function clientKeyOfResponse(res: SipResponse): TransactionKey {
  return key(topBranch(res), (res.headers.get('CSeq') ?? '').split(/\s+/)[1] ?? '');
}

/** A request we receive (ACK → the INVITE's transaction). */
export function serverKeyOf(req: SipRequest): TransactionKey {
  return key(topBranch(req), req.method === 'ACK' ? 'INVITE' : req.method);
}

/** The INVITE server transaction a CANCEL refers to (RFC 3261 §9.2: same branch). */
export function inviteKeyForCancel(cancel: SipRequest): TransactionKey {
  return key(topBranch(cancel), 'INVITE');
}
