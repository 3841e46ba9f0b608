import type { TrunkCheckOutcome, TrunkCheckRequest, TrunkVerifier } from '../trunk-verifier-port';

export const PASSING: TrunkCheckOutcome = {
  reachable: true,
  credentialsValid: true,
  outboundAuthorized: true,
  detail: 'scripted: trunk ok',
};
export const UNREACHABLE: TrunkCheckOutcome = {
  reachable: false,
  credentialsValid: false,
  outboundAuthorized: false,
  detail: 'scripted: no answer to OPTIONS',
};
export const BAD_CREDENTIALS: TrunkCheckOutcome = {
  reachable: true,
  credentialsValid: false,
  outboundAuthorized: false,
  detail: 'scripted: 403 Forbidden',
};

/**
 * Test stand-in for the SIP trunk check: answers what the test scripted (passing by default,
 * or per password: `outcomes.set('wrong', BAD_CREDENTIALS)`), and records every request.
 */
export class ScriptedTrunkVerifier implements TrunkVerifier {
  readonly requests: TrunkCheckRequest[] = [];
  readonly byPassword = new Map<string, TrunkCheckOutcome>();
  fallback: TrunkCheckOutcome = PASSING;
  /** When set, verify() rejects with it (a crashed SIP stack). */
  failWith: Error | undefined;

  async verify(input: TrunkCheckRequest): Promise<TrunkCheckOutcome> {
    this.requests.push(input);
    if (this.failWith) throw this.failWith;
    return this.byPassword.get(input.password) ?? this.fallback;
  }
}
