import type { SipTransportKind } from './sip/transport/sip-transport';
import type { RequestResult, UserAgentCore } from './sip/user-agent-core';
import { systemClock, type Clock } from '../shared/clock';

export interface TrunkCheckInput {
  host: string;
  port?: number;
  transport?: SipTransportKind;
  username: string;
  password: string;
  /** Overall budget for both checks (default 8000 ms). */
  timeoutMs?: number;
}

export interface TrunkCheckResult {
  /** The trunk answered OPTIONS (any SIP response counts). */
  reachable: boolean;
  /** A digest-authenticated REGISTER was accepted (2xx after the challenge). */
  credentialsValid: boolean;
  /** The trunk authorizes us to send calls: today the same signal as credentialsValid (no test call is placed). */
  outboundAuthorized: boolean;
  detail: string;
  optionsStatus?: number;
  registerStatus?: number;
}

/** What the API layer depends on (injectable; tests of the API use a scripted one). */
export interface TrunkVerifier {
  verify(input: TrunkCheckInput): Promise<TrunkCheckResult>;
}

/**
 * Real trunk checks over our SIP user agent core: OPTIONS for reachability, then REGISTER (Expires: 0,
 * so no binding is left behind) answering the digest challenge with the given credentials.
 */
export class SipTrunkVerifier implements TrunkVerifier {
  readonly #ua: UserAgentCore;
  readonly #clock: Clock;

  constructor(ua: UserAgentCore, clock: Clock = systemClock) {
    this.#ua = ua;
    this.#clock = clock;
  }

  async verify(input: TrunkCheckInput): Promise<TrunkCheckResult> {
    const transport = input.transport ?? 'udp';
    const hostPort = `${input.host.includes(':') ? `[${input.host}]` : input.host}:${input.port ?? 5060}`;
    const target = `sip:${hostPort}${transport === 'tcp' ? ';transport=tcp' : ''}`;
    const deadlineMs = input.timeoutMs ?? 8000;
    const started = this.#clock.monotonicMs();
    const remaining = (): number => Math.max(1, deadlineMs - (this.#clock.monotonicMs() - started));

    // One Call-ID for the whole check (OPTIONS CSeq 1, REGISTER CSeq 2 and 3): one "session" for the trunk's logs.
    const callId = this.#ua.newCallId();
    const options = await this.#withTimeout(this.#ua.options(target, transport, callId), remaining());
    if (!('response' in options)) {
      const why = 'error' in options ? options.error : 'no answer to OPTIONS';
      return {
        reachable: false,
        credentialsValid: false,
        outboundAuthorized: false,
        detail: `trunk unreachable: ${why}`,
      };
    }
    const result: TrunkCheckResult = {
      reachable: true,
      credentialsValid: false,
      outboundAuthorized: false,
      detail: '',
      optionsStatus: options.response.status,
    };
    const register = await this.#withTimeout(
      this.#ua.request({
        method: 'REGISTER',
        target: `sip:${hostPort}`,
        transport,
        fromUser: input.username,
        toUri: `sip:${input.username}@${hostPort}`,
        headers: [['Expires', '0']],
        callId,
        cseq: 2,
        credentials: { username: input.username, password: input.password },
      }),
      remaining(),
    );
    if (!('response' in register)) {
      result.detail = 'error' in register ? register.error : 'no answer to REGISTER';
      return result;
    }
    const status = register.response.status;
    result.registerStatus = status;
    if (status >= 200 && status < 300) {
      result.credentialsValid = true;
      result.outboundAuthorized = true;
      result.detail = 'trunk reachable and credentials accepted';
    } else if (status === 401 || status === 403 || status === 407) {
      result.detail = `credentials rejected (${status} ${register.response.reason})`;
    } else {
      result.detail = `REGISTER answered ${status} ${register.response.reason}`;
    }
    return result;
  }

  async #withTimeout(p: Promise<RequestResult>, ms: number): Promise<RequestResult> {
    let handle: unknown;
    const timeout = new Promise<RequestResult>(
      (resolve) => (handle = this.#ua.timers.set(ms, () => resolve({ timeout: true }))),
    );
    try {
      return await Promise.race([p, timeout]);
    } finally {
      this.#ua.timers.clear(handle);
    }
  }
}
