import { loadConfig, ConfigError } from './config/load';
import { buildDeps } from './app/build-deps';
import { buildServer } from './api/server';
import { systemClock } from './shared/clock';
import { cryptoIds } from './shared/ids';
import { createLogger } from './shared/log';
import { createOrg } from './orgs/org-service';
import { startWebhookWorkers } from './webhooks/start-webhook-workers';
import { startCallRuntime } from './calls/start-call-runtime';
import { startNumberWorkers } from './numbers/start-number-workers';
import { startCampaignWorkers } from './campaigns/start-campaign-workers';
import { CAMPAIGN_DISPATCH_QUEUE } from './campaigns/dispatch-chain';
import { startAnalysisWorkers } from './analysis/start-analysis-workers';
import { recordingUrlMaker } from './calls/recording-url';
import { formatStartBanner, redactDatabaseUrl } from './ops/start-banner';
import type { ReadinessCheck } from './ops/readiness';
import { MediaLoad } from './ops/media-load';
import { RetentionSweeper } from './ops/retention';

/** Composition root: config → store → queue → services → HTTP (+ SIP and workers). */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel, base: { service: 'thunderphone' } });
  const deps = await buildDeps({ config, clock: systemClock, ids: cryptoIds, log });

  const orgCount = await deps.store.db
    .selectFrom('orgs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  let firstKey: string | undefined;
  if (Number(orgCount.n) === 0) {
    const created = await createOrg(deps.store.db, systemClock, cryptoIds, {
      name: 'Development org',
      balanceCents: 1000,
    });
    firstKey = created.apiKey;
  }

  const tts = deps.voices;
  log.info(
    {
      configured: config.tts.engine,
      engine: tts.engine ?? null,
      installed: tts.selection?.installed,
      voices: tts.size,
      defaultVoice: tts.defaultVoice()?.id ?? null,
    },
    'text to speech engine chosen',
  );
  if (tts.selection?.problem) log.warn({ fix: tts.selection.problem.fix }, tts.selection.problem.reason);

  // The queue first: pg-boss ignores work()/createQueue() issued before start().
  await deps.queue.start();
  const webhookWorkers = await startWebhookWorkers(deps);
  await startNumberWorkers(deps);
  const campaigns = await startCampaignWorkers(deps);
  await startAnalysisWorkers({
    db: deps.store.db,
    queue: deps.queue,
    clock: systemClock,
    log: log.child({ component: 'analysis' }),
    events: deps.webhooks,
    llm: config.llm,
  });
  const calls = await withPortHint(
    'SIP_PORT',
    config.sip.port,
    startCallRuntime({ ...deps, recordingUrl: recordingUrlMaker(config, systemClock) }),
  );
  // After the call runtime: GET /v1/realtime sessions run (and are heartbeated) there.
  const app = await buildServer({ ...deps, realtime: calls.realtime });
  const liveCalls = () => calls.runtime.liveCallIds.length;
  // Worker load: one entry per RTP worker thread, or `main` with MEDIA_WORKERS=0.
  deps.metrics.attach({ activeCalls: liveCalls, workers: new MediaLoad(() => calls.mediaStats()) });
  deps.readiness.sipStarted(calls.sipPort);
  await deps.readiness.probeRtp();
  await withPortHint('PORT', config.http.port, app.listen({ port: config.http.port, host: config.http.host }));
  const retention = new RetentionSweeper({
    store: deps.store,
    queue: deps.queue,
    clock: systemClock,
    log: log.child({ component: 'retention' }),
    ages: config.ops.retention,
  });

  const database: ReadinessCheck = {
    status: 'ok',
    detail: `${redactDatabaseUrl(config.databaseUrl)} (migrated)`,
    reason: null,
    fix: null,
  };
  process.stdout.write(
    formatStartBanner({
      config,
      dialect: deps.store.dialect,
      sipPort: calls.sipPort,
      checks: { database, ...deps.readiness.checks() },
      firstKey,
    }),
  );

  // Drain on deploy: the first SIGTERM/SIGINT stops new work and lets live calls finish (up to
  // DRAIN_TIMEOUT_MS), a second one ends them at once (server_shutdown), a third exits right away.
  const abortDrain = new AbortController();
  let signals = 0;
  const shutdown = async (signal: string): Promise<void> => {
    const nowMs = systemClock.nowMs();
    deps.drain.begin(new Date(nowMs).toISOString(), new Date(nowMs + config.ops.drainTimeoutMs).toISOString());
    log.info(
      { signal, liveCalls: calls.runtime.liveCallIds.length, drainTimeoutMs: config.ops.drainTimeoutMs },
      'draining: no new calls, live calls may finish',
    );
    // Campaign dispatch passes go to the other servers (pg-boss hands them the chain's next job).
    campaigns.stop();
    const campaignsStopped = deps.queue
      .stopWorking(CAMPAIGN_DISPATCH_QUEUE)
      .catch((err: unknown) => log.warn({ err }, 'stopping campaign dispatch failed'));
    const report = await calls.runtime.drain(config.ops.drainTimeoutMs, abortDrain.signal);
    await campaignsStopped;
    log.info(report, 'drained; shutting down');
    await app.close();
    await retention.stop();
    await calls.stop();
    webhookWorkers.stop();
    await deps.queue.stop();
    await deps.store.destroy();
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) void shutdown(signal);
    else if (signals === 2) {
      log.warn({ signal }, 'second signal: ending live calls now');
      abortDrain.abort();
    } else process.exit(1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** A port another program holds stops the start with the variable that moves it. */
async function withPortHint<T>(variable: string, port: number, started: Promise<T>): Promise<T> {
  try {
    return await started;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(`port ${port} is in use by another program: stop it, or set ${variable} to a free port`, {
        cause: err,
      });
    throw err;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`ThunderPhone failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
