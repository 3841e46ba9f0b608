import type { Config } from '../config/config';
import type { ApiDeps } from '../api/deps';
import { openStore, type Store } from '../store/db';
import { migrate } from '../store/migrate';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/log';
import { SecretBox } from '../shared/secret-box';
import { DbJobQueue } from '../jobs/db-job-queue';
import { PgBossJobQueue } from '../jobs/pg-boss-job-queue';
import type { JobQueue } from '../jobs/job-queue';
import { VoiceCatalog } from '../voice/tts/voice-catalog';
import { GuardedHttpClient } from '../net/guarded-http-client';
import { WebhookService } from '../webhooks/webhook-service';
import { EphemeralSipTrunkVerifier } from './ephemeral-sip-trunk-verifier';
import { Readiness } from '../ops/readiness';
import { DrainState } from '../shared/drain-state';
import { PrometheusMetrics } from '../ops/prometheus-metrics';

export interface BuildDepsOptions {
  config: Config;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  /** Use an already opened store (tests); otherwise config.databaseUrl is opened. */
  store?: Store;
  /** Poll interval of the job queue (tests use short ones). */
  queuePollMs?: number;
}

/** Opens the store, migrates it and builds the queue adapter that fits the dialect. */
export async function buildDeps(options: BuildDepsOptions): Promise<ApiDeps> {
  const store =
    options.store ??
    (await openStore(options.config.databaseUrl, {
      log: options.log.child({ component: 'store' }),
      clock: options.clock,
    }));
  await migrate(store);
  const queue: JobQueue =
    store.dialect === 'postgres'
      ? new PgBossJobQueue(store, options.log, {
          pollingIntervalSeconds: Math.max(0.5, (options.queuePollMs ?? 1000) / 1000),
          deleteAfterDays: options.config.ops.retention.jobDays,
        })
      : new DbJobQueue(store, options.clock, options.log, { pollMs: options.queuePollMs ?? 200 });
  const secretBox = new SecretBox(options.config.secretKey);
  const metrics = new PrometheusMetrics();
  metrics.attach({ queueDepth: () => queue.depth() });
  const voices = VoiceCatalog.detect(options.config);
  const httpClient = new GuardedHttpClient({ allowPrivateTargets: options.config.allowPrivateTargets });
  const webhooks = new WebhookService({
    db: store.db,
    clock: options.clock,
    ids: options.ids,
    log: options.log,
    queue,
    secretBox,
    http: httpClient,
    voices,
    allowPrivateTargets: options.config.allowPrivateTargets,
    metrics,
  });
  return {
    trunkVerifier: new EphemeralSipTrunkVerifier(options.config, options.log),
    httpClient,
    webhooks,
    config: options.config,
    store,
    clock: options.clock,
    ids: options.ids,
    log: options.log,
    queue,
    secretBox,
    voices,
    readiness: new Readiness({ config: options.config, voices }),
    drain: new DrainState(),
    metrics,
  };
}
