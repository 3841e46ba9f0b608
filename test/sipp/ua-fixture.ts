import { RtpPortPool } from '../../src/telephony/rtp/port-pool';
import { SipUserAgent, type SipUserAgentOptions } from '../../src/telephony/sip/user-agent';
import { freePort } from './sipp-harness';

/** A user agent on free ports with its own small RTP port range, for one test. */
export async function startTestUa(opts: Partial<SipUserAgentOptions> = {}): Promise<SipUserAgent> {
  const base = await freeRtpBase();
  return SipUserAgent.start({
    bindAddress: '127.0.0.1',
    port: 0,
    media: { pool: new RtpPortPool(base, base + 19), bindAddress: '127.0.0.1' },
    timers: { t1Ms: 100, t2Ms: 400, t4Ms: 500 },
    ...opts,
  });
}

async function freeRtpBase(): Promise<number> {
  // Ten RTP ports in a random high range; the pool only hands out ports it can bind (RtpSession.open binds).
  const p = await freePort();
  return p - (p % 2);
}
