import type { IncomingInvite } from '../sip/incoming-invite';
import type { RemoteAddress } from '../sip/transport/sip-transport';
import type { CallLeg } from './call-leg';
import type { DialOptions } from './call-leg-types';

/** An inbound INVITE waiting for the call layer: accept() → the answered leg, or reject(). */
export class IncomingCall {
  readonly fromUser: string | undefined;
  readonly toUser: string | undefined;
  readonly requestUri: string;
  readonly callId: string;
  /** Where responses and our in-dialog requests go (source address + rport). */
  readonly remote: RemoteAddress;
  /** Where the INVITE really came from: transport, address and port of the packet or connection. */
  readonly source: RemoteAddress;
  /** The leg in state 'offered'; listen to its 'ended' for a CANCEL before accept. */
  readonly leg: CallLeg;

  constructor(invite: IncomingInvite, leg: CallLeg) {
    this.leg = leg;
    this.requestUri = invite.requestUri;
    this.callId = invite.callId;
    this.remote = invite.remote;
    this.source = invite.source;
    this.fromUser = invite.fromUser;
    this.toUser = invite.toUser;
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

  reject(status = 603, reason?: string, headers?: Array<[string, string]>): void {
    this.leg.reject(status, reason, headers);
  }
}
