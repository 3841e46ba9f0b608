import type { Config } from '../config/config';
import type { Logger } from '../shared/log';
import type { TrunkCheckOutcome, TrunkCheckRequest, TrunkVerifier } from '../numbers/trunk-verifier-port';
import { UserAgentCore } from '../telephony/sip/user-agent-core';
import { SipTrunkVerifier } from '../telephony/trunk-verifier';

/**
 * The real trunk check for the API (voip-connections/test, verify-voip): a short-lived SIP user
 * agent core (no media) on a free port of SIP_BIND (SIP_PUBLIC_ADDRESS in Via/Contact) runs telephony's
 * SipTrunkVerifier (OPTIONS, then a digest-authenticated REGISTER with Expires: 0), then closes.
 * Independent of the call runtime's user agent, so the API works whether or not it runs.
 */
export class EphemeralSipTrunkVerifier implements TrunkVerifier {
  readonly #config: Config;
  readonly #log: Logger;
  readonly #timeoutMs: number;

  /** `timeoutMs`: budget for both checks (default 8000 ms). */
  constructor(config: Config, log: Logger, options: { timeoutMs?: number } = {}) {
    this.#config = config;
    this.#log = log;
    this.#timeoutMs = options.timeoutMs ?? 8000;
  }

  async verify(input: TrunkCheckRequest): Promise<TrunkCheckOutcome> {
    const ua = await UserAgentCore.start({
      bindAddress: this.#config.sip.bind,
      port: 0,
      publicAddress: this.#config.sip.publicAddress,
      transports: [input.transport],
      log: this.#log.child({ component: 'trunk-verifier' }),
    });
    try {
      const r = await new SipTrunkVerifier(ua).verify({
        host: input.host,
        port: input.port,
        transport: input.transport,
        username: input.username,
        password: input.password,
        timeoutMs: this.#timeoutMs,
      });
      return {
        reachable: r.reachable,
        credentialsValid: r.credentialsValid,
        outboundAuthorized: r.outboundAuthorized,
        detail: r.detail,
      };
    } finally {
      await ua.close();
    }
  }
}
