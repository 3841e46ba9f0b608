import type { Config } from '../config/config';
import type { Store } from '../store/db';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/log';
import type { JobQueue } from '../jobs/job-queue';
import type { SecretBox } from '../shared/secret-box';
import type { VoiceCatalog } from '../voice/tts/voice-catalog';
import type { GuardedHttpClient } from '../net/guarded-http-client';
import type { WebhookService } from '../webhooks/webhook-service';
import type { TrunkVerifier } from '../numbers/trunk-verifier-port';
import type { Readiness } from '../ops/readiness';
import type { RealtimeSessions } from '../calls/realtime-sessions';
import type { DrainState } from '../shared/drain-state';
import type { PrometheusMetrics } from '../ops/prometheus-metrics';

/**
 * Everything the HTTP layer may use, built once in main.ts (or the test harness) and passed
 * to buildServer. Domain services are added here as the domains grow.
 */
export interface ApiDeps {
  config: Config;
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  queue: JobQueue;
  secretBox: SecretBox;
  /** Voices of the installed/configured TTS engines (GET /v1/voices, agent validation). */
  voices: VoiceCatalog;
  /** The only client for user-supplied URLs (webhooks, tool calls): ALLOW_PRIVATE_TARGETS, no cross-host redirects. */
  httpClient: GuardedHttpClient;
  /** Webhook outbox (emit), blocking incoming resolution, endpoint management. */
  webhooks: WebhookService;
  /** SIP trunk checks for voip-connections/test and verify-voip (tests inject scripted ones). */
  trunkVerifier: TrunkVerifier;
  /** Live call stream timings (GET /v1/calls/stream); tests shorten them. */
  liveCalls?: { pollMs?: number; keepaliveMs?: number };
  /** What works and what is missing (SIP, RTP, TTS, LLM, STT, console): GET /v1/healthz `checks`. */
  readiness: Readiness;
  /** GET /v1/realtime sessions (built with the call runtime; absent: the upgrade is refused with 503). */
  realtime?: Pick<RealtimeSessions, 'admit'>;
  /** Set on SIGTERM (main.ts): GET /v1/healthz says `draining`; dispatchers take no new work. */
  drain: DrainState;
  /** Prometheus registry of this process (GET /metrics); domains report into it as OpsMetrics. */
  metrics: PrometheusMetrics;
}
