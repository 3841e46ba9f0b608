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
import { recordingUrlMaker } from './calls/recording-url';

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

  const app = await buildServer(deps);
  // The queue first: pg-boss ignores work()/createQueue() issued before start().
  await deps.queue.start();
  const webhookWorkers = await startWebhookWorkers(deps);
  await startNumberWorkers(deps);
  const calls = await startCallRuntime({ ...deps, recordingUrl: recordingUrlMaker(config, systemClock) });
  await app.listen({ port: config.http.port, host: config.http.host });

  const base = config.http.publicBaseUrl;
  process.stdout.write(
    [
      `ThunderPhone listening on http://${config.http.host}:${config.http.port} (${deps.store.dialect})`,
      `  Console:  ${base}/   (sign in with an org API key, or the admin token for the operator view)`,
      `  API:      ${base}/v1   (try: curl ${base}/v1/healthz)`,
      `  API docs: ${base}/docs   OpenAPI: ${base}/openapi.json`,
      `  SIP:      udp+tcp ${config.sip.bind}:${calls.sipPort} (public address ${config.sip.publicAddress})`,
      `  Agent:    LLM ${config.llm ? config.llm.baseUrl : 'not configured (set LLM_BASE_URL)'}, STT ${config.stt ? config.stt.baseUrl : 'not configured (set STT_BASE_URL)'}, TTS ${config.tts.engine}`,
      config.llm && config.stt
        ? ''
        : '  Calls are refused (POST /v1/call 503 agent_not_configured, inbound SIP 503) until LLM_BASE_URL and STT_BASE_URL point at OpenAI-compatible services.',
      config.adminToken === undefined
        ? '  Admin API: off (set THUNDERPHONE_ADMIN_TOKEN)'
        : `  Admin API: ${base}/admin/v1`,
      firstKey === undefined
        ? ''
        : `\nCreated a development org with a $10.00 balance. Its API key (shown once, store it now;\nsign in to the console at ${base}/ with it):\n\n    ${firstKey}\n`,
    ].join('\n') + '\n',
  );

  const shutdown = async (signal: string): Promise<void> => {
    log.info({ signal }, 'shutting down');
    await app.close();
    await calls.stop();
    webhookWorkers.stop();
    await deps.queue.stop();
    await deps.store.destroy();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ThunderPhone failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
