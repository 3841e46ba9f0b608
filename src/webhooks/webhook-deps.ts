import type { Kysely } from 'kysely';
import type { DB } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/log';
import type { JobQueue } from '../jobs/job-queue';
import type { SecretBox } from '../shared/secret-box';
import type { VoiceCatalog } from '../voice/tts/voice-catalog';
import type { OutgoingRequest, OutgoingResponse } from '../net/guarded-http-client';
import type { PrivateTargetPolicy } from '../net/address-policy';
import type { OpsMetrics } from '../shared/ops-metrics';

/** The HTTP client webhooks use (GuardedHttpClient in production). */
export interface WebhookHttp {
  request(req: OutgoingRequest): Promise<OutgoingResponse>;
}

/** What the webhooks domain needs, injected by the composition root. */
export interface WebhookDeps {
  db: Kysely<DB>;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  queue: JobQueue;
  secretBox: SecretBox;
  http: WebhookHttp;
  voices: VoiceCatalog;
  allowPrivateTargets: PrivateTargetPolicy;
  /** Non-blocking delivery timeout (30 s by the contract). */
  deliveryTimeoutMs?: number;
  /** Blocking incoming deadline (2 s by the contract). */
  incomingTimeoutMs?: number;
  /** Operator metrics (GET /metrics): delivery outcomes and latency. */
  metrics?: OpsMetrics;
}

export const DELIVER_QUEUE = 'webhooks.deliver';
export const DEFAULT_DELIVERY_TIMEOUT_MS = 30_000;
export const DEFAULT_INCOMING_TIMEOUT_MS = 2_000;
/** A claimed delivery is leased this long; a crashed sender's lease simply runs out. */
export const DELIVERY_LEASE_MS = 60_000;
