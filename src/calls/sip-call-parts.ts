import type { Config } from '../config/config';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { CallAgent } from '../telephony/call/call-agent';
import { RtpPortPool } from '../telephony/rtp/port-pool';
import { CallRecorder } from '../telephony/recording/call-recorder';
import type { IncomingCall } from '../telephony/call/incoming-call';
import type { AgentSessionPort } from './call-ports';
import type { CallRow } from './call-repo';
import type { CallParts } from './call-runtime';
import type { InboundOfferPort } from './inbound-call';

export interface SipCallPartsOptions {
  config: Config;
  clock: Clock;
  log: Logger;
  /** Builds the agent session of a call (see agent-factory.ts). */
  createAgent: (call: CallRow) => Promise<AgentSessionPort>;
}

/**
 * The real telephony side of the call runtime: our SIP user agent on SIP_BIND:SIP_PORT (UDP and
 * TCP), RTP ports from RTP_PORT_MIN..MAX, stereo WAV recordings (caller left, agent right).
 */
export async function startSipCallParts(o: SipCallPartsOptions): Promise<CallParts & { ua: CallAgent }> {
  const { config } = o;
  const ua = await CallAgent.start({
    bindAddress: config.sip.bind,
    port: config.sip.port,
    publicAddress: config.sip.publicAddress,
    media: {
      pool: new RtpPortPool(config.rtp.portMin, config.rtp.portMax),
      bindAddress: config.sip.bind,
      sdpAddress: config.sip.publicAddress,
      mediaTimeoutMs: config.calls.mediaTimeoutMs,
    },
    log: o.log.child({ component: 'sip' }),
  });
  return {
    ua,
    dial: async (req) =>
      ua.dial({
        target: req.target,
        transport: req.transport,
        fromUser: req.fromUser,
        credentials: req.credentials,
        ringTimeoutMs: req.ringTimeoutMs,
      }),
    createAgent: o.createAgent,
    createRecorder: (path) => new CallRecorder({ path, sampleRateHz: 8000, channels: 2, clock: o.clock, log: o.log }),
    onIncoming: (handler) =>
      ua.on(
        'incomingCall',
        (call) =>
          void handler(offerOf(call)).catch((err: unknown) => o.log.error({ err }, 'inbound call handler failed')),
      ),
    close: () => ua.close(),
  };
}

function offerOf(call: IncomingCall): InboundOfferPort {
  return {
    requestUser: userOf(call.requestUri),
    toUser: call.toUser ?? null,
    fromUser: call.fromUser ?? null,
    sipCallId: call.callId,
    accept: () => call.accept(),
    reject: (status, reason, headers) => call.reject(status, reason, headers),
  };
}

function userOf(uri: string): string | null {
  const m = /^sips?:([^@;?]+)@/i.exec(uri);
  return m?.[1] ?? null;
}
