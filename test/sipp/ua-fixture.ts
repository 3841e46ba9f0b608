import { RtpPortPool } from '../../src/telephony/rtp/port-pool';
import { CallAgent, type CallAgentStartOptions } from '../../src/telephony/call/call-agent';
import { freePort } from './sipp-harness';

/** A call agent (SIP user agent + RTP) on free ports with its own small RTP port range, for one test. */
export async function startTestUa(opts: Partial<CallAgentStartOptions> = {}): Promise<CallAgent> {
  const base = await freeRtpBase();
  return CallAgent.start({
    bindAddress: '127.0.0.1',
    port: 0,
    media: { pool: new RtpPortPool(base, base + 19), bindAddress: '127.0.0.1' },
    sipTimers: { t1Ms: 100, t2Ms: 400, t4Ms: 500 },
    ...opts,
  });
}

async function freeRtpBase(): Promise<number> {
  // Ten RTP ports in a random high range; the pool only hands out ports it can bind (RtpSession.open binds).
  const p = await freePort();
  return p - (p % 2);
}
