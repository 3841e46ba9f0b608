import type { IdGenerator } from '../../shared/ids';
import type { Logger } from '../../shared/log';
import type { Timers } from '../../shared/timers';
import type { DialogRegistry } from './dialog-registry';
import type { SipMessage, SipRequest, SipResponse } from './message';
import type { ClientTransaction } from './transaction/client-transaction';
import type { SipTimerConfig } from './transaction/sip-timers';
import type { ClientTransactionHandlers } from './transaction/transaction-layer';
import type { RemoteAddress, SipTransportKind } from './transport/sip-transport';

export interface ResponseOptions {
  /** Added to To when the request has no tag yet (not on 100). */
  toTag?: string | undefined;
  headers?: Array<[string, string]>;
  body?: Buffer;
  reason?: string;
}

/**
 * What the user agent core offers the INVITE usages built on it (InviteClient, IncomingInvite,
 * InviteSession). UserAgentCore implements it; the usages depend on this interface only.
 */
export interface UserAgentServices {
  readonly sipTimers: SipTimerConfig;
  readonly timers: Timers;
  readonly ids: IdGenerator;
  readonly log: Logger | undefined;
  readonly dialogs: DialogRegistry;
  /** Our public host as written in a SIP URI (IPv6 in brackets, no port). */
  readonly publicUriHost: string;
  readonly userAgentName: string;
  newTag(): string;
  newCallId(): string;
  /** Our Contact header value for `transport`. */
  contact(transport: SipTransportKind, user?: string): string;
  /** Resolves a SIP URI to a transport destination (no DNS SRV: host:port, default 5060). */
  remoteFor(target: string, transport: SipTransportKind): RemoteAddress;
  /** Sends `req` in a new client transaction (adds our Via unless one is present, as on CANCEL). */
  sendRequest(req: SipRequest, remote: RemoteAddress, h: ClientTransactionHandlers): ClientTransaction;
  /** Sends outside any transaction (ACK for a 2xx, 2xx retransmissions). */
  sendStateless(msg: SipMessage, remote: RemoteAddress): void;
  /** A response to `req`: Via, From, To, Call-ID and CSeq copied (RFC 3261 §8.2.6.2). */
  buildResponse(req: SipRequest, status: number, opts?: ResponseOptions): SipResponse;
}
