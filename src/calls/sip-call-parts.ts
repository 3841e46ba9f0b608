import type { Config } from '../config/config';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { CallAgent } from '../telephony/call/call-agent';
import { InProcessMediaEngine } from '../telephony/media/in-process-media-engine';
import type { MediaEngine } from '../telephony/media/media-session';
import { MediaWorkerPool } from '../telephony/media/media-worker-pool';
import { RtpPortPool } from '../telephony/rtp/port-pool';
import type { IncomingCall } from '../telephony/call/incoming-call';
import type { SipRequest } from '../telephony/sip/message';
import { SourceRateLimiter } from '../telephony/sip/source-rate-limiter';
import type { RemoteAddress } from '../telephony/sip/transport/sip-transport';
import type { AgentSessionPort } from './call-ports';
import { CallRecording } from './call-recording';
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
export async function startSipCallParts(
  o: SipCallPartsOptions,
): Promise<CallParts & { ua: CallAgent; media: MediaEngine }> {
  const { config } = o;
  const sipLog = o.log.child({ component: 'sip' });
  const pool = new RtpPortPool(config.rtp.portMin, config.rtp.portMax);
  const mediaLog = o.log.child({ component: 'rtp' });
  const engine: MediaEngine =
    config.rtp.mediaWorkers > 0
      ? await MediaWorkerPool.start({
          workers: config.rtp.mediaWorkers,
          priority: config.rtp.mediaWorkerPriority,
          pool,
          log: mediaLog,
        })
      : new InProcessMediaEngine(pool, mediaLog);
  const ua = await CallAgent.start({
    bindAddress: config.sip.bind,
    port: config.sip.port,
    publicAddress: config.sip.publicAddress,
    limits: config.sip.limits,
    media: {
      pool,
      engine,
      bindAddress: config.sip.bind,
      sdpAddress: config.sip.publicAddress,
      mediaTimeoutMs: config.calls.mediaTimeoutMs,
    },
    log: sipLog,
    admitRequest: sourceRateAdmission(config, o.clock, sipLog),
  });
  return {
    ua,
    /** RTP sessions and per-worker load (`stats()`: sessions, tick lag) for metrics. */
    media: engine,
    dial: async (req) =>
      ua.dial({
        target: req.target,
        transport: req.transport,
        fromUser: req.fromUser,
        credentials: req.credentials,
        ringTimeoutMs: req.ringTimeoutMs,
      }),
    createAgent: o.createAgent,
    createRecorder: (path) => new CallRecording({ path, clock: o.clock, log: o.log }),
    onIncoming: (handler) =>
      ua.on(
        'incomingCall',
        (call) =>
          void handler(offerOf(call)).catch((err: unknown) => o.log.error({ err }, 'inbound call handler failed')),
      ),
    byeFromSnapshot: (snapshot) => ua.byeFromSnapshot(snapshot),
    close: async () => {
      await ua.close();
      await engine.close();
    },
  };
}

/**
 * SIP_SOURCE_RATE_PER_SECOND / SIP_SOURCE_BURST: new out-of-dialog requests beyond a source's
 * bucket are dropped without an answer (no 503: answering would still cost us a response per
 * packet and reflect traffic to forged sources; a real client's retransmissions get through once
 * its bucket refills). One warning per source each time it starts being limited.
 */
export function sourceRateAdmission(
  config: Config,
  clock: Clock,
  log: Logger,
): ((req: SipRequest, source: RemoteAddress) => boolean) | undefined {
  if (config.sip.sourceRatePerSecond <= 0) return undefined;
  const limiter = new SourceRateLimiter({
    ratePerSecond: config.sip.sourceRatePerSecond,
    burst: config.sip.sourceBurst,
    nowMs: () => clock.monotonicMs(),
  });
  return (req, source) => {
    const r = limiter.take(source.address);
    if (r.firstRefusal)
      log.warn(
        { source: `${source.transport}:${source.address}`, method: req.method },
        'SIP source over its rate limit: dropping its new requests',
      );
    return r.admitted;
  };
}

function offerOf(call: IncomingCall): InboundOfferPort {
  return {
    requestUser: userOf(call.requestUri),
    toUser: call.toUser ?? null,
    fromUser: call.fromUser ?? null,
    sipCallId: call.callId,
    sourceAddress: call.source.address,
    sourceTransport: call.source.transport,
    authorization: call.authorization ?? null,
    accept: () => call.accept(),
    reject: (status, reason, headers) => call.reject(status, reason, headers),
  };
}

function userOf(uri: string): string | null {
  const m = /^sips?:([^@;?]+)@/i.exec(uri);
  return m?.[1] ?? null;
}
