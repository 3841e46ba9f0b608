import type { DialectName, Store } from '../../src/store/db';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/config';
import { buildDeps } from '../../src/app/build-deps';
import { buildServer } from '../../src/api/server';
import type { ApiDeps } from '../../src/api/deps';
import { systemClock, type Clock } from '../../src/shared/clock';
import { cryptoIds } from '../../src/shared/ids';
import { silentLogger, type Logger } from '../../src/shared/log';
import { createOrg } from '../../src/orgs/org-service';
import { describeEachDialect, openTestStore } from './dialects';
import { startWebhookWorkers, type WebhookWorkers } from '../../src/webhooks/start-webhook-workers';

export const ADMIN_TOKEN = 'test-admin-token';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
}

export interface TestOrg {
  id: number;
  apiKey: string;
}

export interface ApiHarness {
  dialect: DialectName;
  app: Awaited<ReturnType<typeof buildServer>>;
  deps: ApiDeps;
  config: Config;
  /** Calls the API in-process. `key` is an API key, or `{ admin: true }` for the admin token. */
  request<T = any>(
    method: string,
    url: string,
    options?: { key?: string | { admin: true }; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  /** Creates an org (with opening balance) straight through the service layer. */
  createOrg(options?: { balanceCents?: number; trial?: boolean; name?: string }): Promise<TestOrg>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Adjust deps before the server is built (inject fakes: verifiers, dialers...). */
  customize?: (deps: ApiDeps) => void | Promise<void>;
  startQueue?: boolean;
  /** Register the webhook delivery worker + sweeper (implies startQueue). */
  startWebhookWorkers?: boolean | { sweepIntervalMs?: number };
  /** Logger for the whole server (default: silent). */
  log?: Logger;
  /** Serve from this store (e.g. on a private PostgreSQL) instead of a fresh test store; closed with the harness. */
  store?: Store;
}

export async function createApiHarness(dialect: DialectName, options: HarnessOptions = {}): Promise<ApiHarness> {
  const config = loadConfig(
    {
      THUNDERPHONE_ADMIN_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'silent',
      PUBLIC_BASE_URL: 'http://127.0.0.1:8080',
      // Configured (so POST /v1/call is accepted) but never reached: the harness runs no calls.
      // A test of an unconfigured server passes LLM_BASE_URL: '' / STT_BASE_URL: ''.
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      LLM_MODEL: 'unused-model',
      STT_BASE_URL: 'http://127.0.0.1:9/v1',
      ...options.env,
    },
    { persistSecretKey: false },
  );
  const clock = options.clock ?? systemClock;
  const store = options.store ?? (await openTestStore(dialect));
  const deps = await buildDeps({
    config,
    clock,
    ids: cryptoIds,
    log: options.log ?? silentLogger,
    store,
    queuePollMs: 50,
  });
  await options.customize?.(deps);
  const app = await buildServer(deps);
  const webhookOpt = options.startWebhookWorkers;
  const wantWebhooks = webhookOpt !== undefined && webhookOpt !== false;
  if (options.startQueue === true || wantWebhooks) await deps.queue.start();
  let webhookWorkers: WebhookWorkers | undefined;
  if (webhookOpt !== undefined && webhookOpt !== false)
    webhookWorkers = await startWebhookWorkers(deps, webhookOpt === true ? {} : webhookOpt);
  return {
    dialect,
    app,
    deps,
    config,
    async request(method, url, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (typeof opts.key === 'string') headers.authorization = `Bearer ${opts.key}`;
      else if (opts.key !== undefined) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(opts.body === undefined ? {} : { payload: opts.body as object }),
      });
      let body: unknown = undefined;
      try {
        body = res.body === '' ? undefined : JSON.parse(res.body);
      } catch {
        body = res.body;
      }
      return { status: res.statusCode, body: body as never, headers: res.headers, text: res.body };
    },
    async createOrg(o = {}) {
      const created = await createOrg(store.db, clock, cryptoIds, {
        name: o.name ?? 'Test org',
        balanceCents: o.balanceCents ?? 1000,
        trial: o.trial ?? false,
      });
      return { id: Number(created.org.id), apiKey: created.apiKey };
    },
    async close() {
      await app.close();
      webhookWorkers?.stop();
      await deps.queue.stop(1000);
      await store.destroy();
    },
  };
}

/** `describe` once per dialect with a fresh API harness shared by the suite's tests. */
export function describeApi(title: string, body: (h: () => ApiHarness) => void, options: HarnessOptions = {}): void {
  describeEachDialect(
    title,
    (dialect) => createApiHarness(dialect, options),
    (h) => h.close(),
    (get) => body(get),
  );
}
