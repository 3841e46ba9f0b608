import type { SipRequest } from '../sip/message';
import { parseNameAddr } from '../sip/name-addr';
import type { ServerTransaction } from '../sip/transaction/server-transaction';
import type { RemoteAddress } from '../sip/transport/sip-transport';
import { parseSipUri } from '../sip/uri';
import type { SipUserAgent } from '../sip/user-agent';
import { CallLeg } from './call-leg';
import type { DialOptions } from './call-leg-types';

/** An inbound INVITE waiting for the call layer: accept() → the answered leg, or reject(). */
export class IncomingCall {
  readonly fromUser: string | undefined;
  readonly toUser: string | undefined;
  readonly requestUri: string;
  readonly callId: string;
  readonly remote: RemoteAddress;
  /** The leg in state 'offered'; listen to its 'ended' for a CANCEL before accept. */
  readonly leg: CallLeg;

  constructor(ua: SipUserAgent, invite: SipRequest, tx: ServerTransaction, remote: RemoteAddress) {
    this.requestUri = invite.uri;
    this.callId = invite.headers.get('Call-ID') ?? '';
    this.remote = remote;
    this.fromUser = parseSipUri(parseNameAddr(invite.headers.get('From') ?? '')?.uri ?? '')?.user;
    this.toUser =
      parseSipUri(parseNameAddr(invite.headers.get('To') ?? '')?.uri ?? '')?.user ?? parseSipUri(invite.uri)?.user;
    this.leg = CallLeg.incoming(ua, invite, tx, remote);
  }

  ring(): void {
    this.leg.ring();
  }

  /** Sends 180 then 200 with the SDP answer; resolves with the answered leg. */
  async accept(opts: { codecs?: DialOptions['codecs'] } = {}): Promise<CallLeg> {
    this.leg.ring();
    await this.leg.accept(opts);
    return this.leg;
  }

  reject(status = 603, reason?: string): void {
    this.leg.reject(status, reason);
  }
}
