import type { Config } from '../config/config';
import type { Store } from '../store/db';
import type { JobQueue } from '../jobs/job-queue';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/log';
import type { SecretBox } from '../shared/secret-box';
import type { VoiceCatalog } from '../voice/tts/voice-catalog';
import type { ToolHttpClient } from '../voice/index';
import { agentFactory } from './agent-factory';
import { CallRuntime } from './call-runtime';
import type { CallEventEmitter, FinalizeDeps } from './finalize-call';
import { inboundConfigResolver, type IncomingWebhook } from './inbound-config';
import { startSipCallParts } from './sip-call-parts';
import type { MediaEngineStats } from '../telephony/media/media-session';
import { signRecordingUrl } from './recording-url';
import { newInstanceId } from './instance-id';
import { RealtimeSessions, REALTIME_TIMINGS } from './realtime-sessions';
import type { DrainState } from '../shared/drain-state';
import type { OpsMetrics } from '../shared/ops-metrics';

export interface CallRuntimeHostDeps {
  config: Config;
  store: Store;
  queue: JobQueue;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  secretBox: SecretBox;
  webhooks: CallEventEmitter & IncomingWebhook;
  voices: VoiceCatalog;
  httpClient: ToolHttpClient;
  /** Default: the signed, expiring `/recordings/<id>.wav` link of recording-url.ts. */
  recordingUrl?: FinalizeDeps['recordingUrl'];
  /** SIGTERM drain flag (main.ts sets it): inbound 503 + Retry-After, no dial jobs taken. */
  drain?: DrainState;
  metrics?: OpsMetrics;
}

export interface RunningCalls {
  runtime: CallRuntime;
  /** GET /v1/realtime sessions (their calls are heartbeated and finalized by the runtime). */
  realtime: RealtimeSessions;
  /** The SIP port really bound (SIP_PORT=0 picks a free one). */
  sipPort: number;
  /** RTP load for metrics: mode, sessions, per media worker its sessions and 20 ms clock lag (last 5 s). */
  mediaStats(): MediaEngineStats;
  stop(): Promise<void>;
}

/**
 * Starts the SIP user agent and the call runtime (recovery, `calls.dial` worker, inbound calls).
 * Call after the webhook workers are registered and before `queue.start()`.
 */
export async function startCallRuntime(deps: CallRuntimeHostDeps): Promise<RunningCalls> {
  const log = deps.log.child({ component: 'calls' });
  const parts = await startSipCallParts({
    config: deps.config,
    clock: deps.clock,
    log,
    createAgent: agentFactory({
      config: deps.config,
      voices: deps.voices,
      clock: deps.clock,
      log,
      toolHttp: deps.httpClient,
      signingSecretFor: (orgId) => deps.webhooks.toolSigningSecret(orgId),
    }),
  });
  const runtime = new CallRuntime({
    config: deps.config,
    store: deps.store,
    queue: deps.queue,
    clock: deps.clock,
    log,
    secretBox: deps.secretBox,
    events: deps.webhooks,
    parts,
    instance: newInstanceId(deps.ids.uuid()),
    inboundConfig: inboundConfigResolver(deps.store.db, deps.webhooks),
    recordingUrl: deps.recordingUrl ?? ((call) => signRecordingUrl(deps.config, call.id, deps.clock.nowMs()).url),
    ...(deps.drain ? { drain: deps.drain } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  await runtime.start();
  const realtime = new RealtimeSessions({
    db: deps.store.db,
    dialect: deps.store.dialect,
    config: deps.config,
    clock: deps.clock,
    ids: deps.ids,
    log,
    voices: deps.voices,
    instance: runtime.instance,
    createAgent: agentFactory({
      config: deps.config,
      voices: deps.voices,
      clock: deps.clock,
      log,
      toolHttp: deps.httpClient,
      signingSecretFor: (orgId) => deps.webhooks.toolSigningSecret(orgId),
      timings: REALTIME_TIMINGS,
    }),
    finalize: (input) => runtime.finalize(input),
    createRecorder: (path) => parts.createRecorder(path),
    live: runtime,
  });
  return {
    runtime,
    realtime,
    sipPort: parts.ua.port,
    mediaStats: () => parts.media.stats(),
    stop: async () => {
      await realtime.stop();
      await runtime.stop();
    },
  };
}
