/**
 * What the numbers module needs from telephony to check a SIP trunk: reachability (OPTIONS) and
 * whether it accepts the credentials (digest-authenticated request). The real one is
 * telephony/trunk-verifier.ts (wired in app/build-deps.ts); API tests inject scripted ones.
 */
export interface TrunkCheckRequest {
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  username: string;
  password: string;
  /** The number being verified (verify-voip), for verifiers that can use it. */
  number?: string;
}

export interface TrunkCheckOutcome {
  reachable: boolean;
  credentialsValid: boolean;
  outboundAuthorized: boolean;
  detail?: string;
}

export interface TrunkVerifier {
  verify(input: TrunkCheckRequest): Promise<TrunkCheckOutcome>;
}
