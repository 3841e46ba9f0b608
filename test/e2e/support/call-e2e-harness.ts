import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load';
import type { Config } from '../../../src/config/config';
import { buildDeps } from '../../../src/app/build-deps';
import type { ApiDeps } from '../../../src/api/deps';
import { systemClock } from '../../../src/shared/clock';
import { cryptoIds } from '../../../src/shared/ids';
import { silentLogger } from '../../../src/shared/log';
import type { DialectName } from '../../../src/store/db';
import type { Row } from '../../../src/store/tables';
import { createOrg } from '../../../src/orgs/org-service';
import { startWebhookWorkers, type WebhookWorkers } from '../../../src/webhooks/start-webhook-workers';
import { WebhookReceiver, type ReceivedRequest } from '../../../src/webhooks/testing/webhook-receiver';
import { CallRuntime, DIAL_QUEUE } from '../../../src/calls/call-runtime';
import type { AgentSessionPort } from '../../../src/calls/call-ports';
import type { CallRow } from '../../../src/calls/call-repo';
import { inboundConfigResolver } from '../../../src/calls/inbound-config';
import { agentFactory } from '../../../src/calls/agent-factory';
import { fetchToolHttpClient } from '../../../src/voice/index';
import { startSipCallParts } from '../../../src/calls/sip-call-parts';
import { signRecordingUrl } from '../../../src/calls/recording-url';
import { openTestStore } from '../../support/dialects';
import { buildServer } from '../../../src/api/server';
import { freePort, makeWorkDir } from './sipp-runner';
import { TRUNK_PASSWORD, TRUNK_USER } from './trunk-scenarios';
import { randomRtpBase } from './server-env';

export interface CallE2eOptions {
  env?: Record<string, string>;
  createAgent: (call: CallRow, deps: ApiDeps) => Promise<AgentSessionPort>;
  balanceMinuteMs?: number;
}

/** Another server on the same database: its own job queue, SIP UA, RTP ports and instance id. */
export interface ExtraServer {
  runtime: CallRuntime;
  instance: string;
  close(): Promise<void>;
}

export interface CallE2e {
  deps: ApiDeps;
  config: Config;
  runtime: CallRuntime;
  /** This (first) server's instance id (calls.owner_instance). */
  instance: string;
  /** Starts a second server on the same database (PostgreSQL: how several servers share one). */
  addServer(): Promise<ExtraServer>;
  sipPort: number;
  rx: WebhookReceiver;
  workDir: string;
  /** A number no other test in this process uses (phone numbers are unique platform-wide). */
  uniqueNumber(): string;
  newOrg(
    balanceCents: number,
    maxConcurrent?: number | null,
  ): Promise<{ orgId: number; webhookSecret: string; apiKey: string }>;
  /** The public API in-process (Fastify inject), as a customer calls it. */
  api(method: string, url: string, apiKey: string, body?: unknown): Promise<{ status: number; body: any }>;
  addTrunk(orgId: number, o: { port: number; transport: 'udp' | 'tcp'; password?: string }): Promise<number>;
  addNumber(
    orgId: number,
    number: string,
    o?: { voipId?: number | null; inboundAgentId?: number | null; source?: string },
  ): Promise<number>;
  /** An org (balance 1000 ¢) with the sipp trunk on `trunkPort` (UDP) and one of its numbers to call from. */
  orgWithTrunk(trunkPort: number): Promise<{ orgId: number; apiKey: string; from: string }>;
  /** A call row as POST /v1/call makes it, plus its `calls.dial` job. */
  placeCall(orgId: number, o: { from: string; to: string; config?: Record<string, unknown> }): Promise<number>;
  waitForTerminal(callId: number, timeoutMs?: number): Promise<Row<'calls'>>;
  waitForWebhook(type: string, callId: number, timeoutMs?: number): Promise<{ request: ReceivedRequest; body: any }>;
  close(): Promise<void>;
}

/** Port ranges that do not collide between concurrently running test files. */
function rtpRange(): { min: number; max: number } {
  const base = randomRtpBase();
  return { min: base, max: base + 400 };
}

/** The real voice agent (agent-factory.ts) with the server's config and voices: for `createAgent`. */
export const realAgent = (call: CallRow, deps: ApiDeps): Promise<AgentSessionPort> =>
  agentFactory({
    config: deps.config,
    voices: deps.voices,
    clock: systemClock,
    log: silentLogger,
    toolHttp: fetchToolHttpClient,
  })(call);

/**
 * LLM and STT settings that point at a closed loopback port: for tests whose agent must never ask
 * them (it speaks second and hears nothing), so any request would fail loudly.
 */
export async function unreachableAiEnv(): Promise<Record<string, string>> {
  const closed = await freePort();
  return {
    LLM_MODEL: 'fake-model',
    LLM_BASE_URL: `http://127.0.0.1:${closed}/v1`,
    STT_BASE_URL: `http://127.0.0.1:${closed}/v1`,
  };
}

export const DEFAULT_AGENT_CONFIG = {
  prompt: 'You are the front desk of Acme Dental. Be brief.',
  voice: 'en-US-James1',
  product: 'spark',
  tools: [],
  speak_order: 'agent_first',
};

/** The whole server minus HTTP: store, queue, webhooks (workers + a real receiver), SIP UA, call runtime. */
export async function openCallE2e(dialect: DialectName, o: CallE2eOptions): Promise<CallE2e> {
  const workDir = makeWorkDir();
  // Every server of one deployment shares the secret key (trunk credentials are sealed with it).
  const secretKey = randomBytes(32).toString('hex');
  const configFor = (): Config => {
    const rtp = rtpRange();
    return loadConfig(
      {
        LOG_LEVEL: 'silent',
        SIP_PORT: '0',
        SIP_BIND: '127.0.0.1',
        SIP_PUBLIC_ADDRESS: '127.0.0.1',
        RTP_PORT_MIN: String(rtp.min),
        RTP_PORT_MAX: String(rtp.max),
        RECORDINGS_DIR: join(workDir, 'recordings'),
        PUBLIC_BASE_URL: 'http://127.0.0.1:8080',
        THUNDERPHONE_SECRET_KEY: secretKey,
        ...o.env,
      },
      { persistSecretKey: false },
    );
  };
  const config = configFor();
  const store = await openTestStore(dialect);
  const deps = await buildDeps({
    config,
    clock: systemClock,
    ids: cryptoIds,
    log: silentLogger,
    store,
    queuePollMs: 50,
  });
  const rx = await WebhookReceiver.start();
  /** One server's call side: SIP UA + RTP ports and a CallRuntime with its own instance id. */
  const startRuntime = async (serverDeps: ApiDeps) => {
    const parts = await startSipCallParts({
      config: serverDeps.config,
      clock: systemClock,
      log: silentLogger,
      createAgent: (call) => o.createAgent(call, serverDeps),
    });
    const instance = `e2e-${cryptoIds.uuid()}`;
    const runtime = new CallRuntime({
      config: serverDeps.config,
      store,
      queue: serverDeps.queue,
      clock: systemClock,
      log: silentLogger,
      secretBox: serverDeps.secretBox,
      events: serverDeps.webhooks,
      parts,
      instance,
      inboundConfig: inboundConfigResolver(store.db, serverDeps.webhooks),
      admissionRetryMs: 200,
      recordingUrl: (call) => signRecordingUrl(serverDeps.config, call.id, Date.now()).url,
      ...(o.balanceMinuteMs !== undefined ? { balanceMinuteMs: o.balanceMinuteMs } : {}),
    });
    return { parts, runtime, instance };
  };
  const { parts, runtime, instance } = await startRuntime(deps);
  const extraServers: ExtraServer[] = [];
  const app = await buildServer(deps);
  let workers: WebhookWorkers | undefined;
  await runtime.start();
  workers = await startWebhookWorkers(deps, { sweepIntervalMs: 200 });
  await deps.queue.start();

  const now = () => systemClock.nowIso();
  let numberSeq = Math.floor(Math.random() * 5000);
  const h: CallE2e = {
    deps,
    config,
    runtime,
    instance,
    async addServer() {
      const serverDeps = await buildDeps({
        config: configFor(),
        clock: systemClock,
        ids: cryptoIds,
        log: silentLogger,
        store,
        queuePollMs: 50,
      });
      const server = await startRuntime(serverDeps);
      await server.runtime.start();
      await serverDeps.queue.start();
      const extra: ExtraServer = {
        runtime: server.runtime,
        instance: server.instance,
        close: async () => {
          await server.runtime.stop();
          await serverDeps.queue.stop(1000);
        },
      };
      extraServers.push(extra);
      return extra;
    },
    sipPort: parts.ua.port,
    rx,
    workDir,
    uniqueNumber: () => `+1555${String(process.pid % 1000).padStart(3, '0')}${String(++numberSeq).padStart(4, '0')}`,
    async newOrg(balanceCents, maxConcurrent = null) {
      const { org, apiKey } = await createOrg(store.db, systemClock, cryptoIds, { name: 'Acme', balanceCents });
      if (maxConcurrent !== null)
        await store.db
          .updateTable('orgs')
          .set({ max_concurrent_calls: maxConcurrent })
          .where('id', '=', org.id)
          .execute();
      const ep = await deps.webhooks.endpoints.create(org.id, { label: 'e2e', url: rx.url(`/org-${org.id}`) });
      return { orgId: org.id, webhookSecret: ep.secret, apiKey };
    },
    async api(method, url, apiKey, body) {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${apiKey}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, body: res.body === '' ? undefined : JSON.parse(res.body) };
    },
    async addTrunk(orgId, t) {
      const row = await store.db
        .insertInto('voip_connections')
        .values({
          org_id: orgId,
          name: 'sipp trunk',
          provider: 'manual',
          setup_method: 'manual',
          status: 'connected',
          inferred_name: 0,
          sip_config: JSON.stringify({ host: '127.0.0.1', port: t.port, transport: t.transport }),
          credentials_enc: deps.secretBox.sealJson({ username: TRUNK_USER, password: t.password ?? TRUNK_PASSWORD }),
          created_at: now(),
          updated_at: now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async addNumber(orgId, number, n = {}) {
      const row = await store.db
        .insertInto('phone_numbers')
        .values({
          org_id: orgId,
          number,
          source: n.source ?? (n.voipId ? 'voip' : 'demo'),
          status: 'active',
          voip_connection_id: n.voipId ?? null,
          inbound_agent_id: n.inboundAgentId ?? null,
          voip_verification_status: n.voipId ? 'verified' : null,
          created_at: now(),
          updated_at: now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async orgWithTrunk(trunkPort) {
      const { orgId, apiKey } = await this.newOrg(1000);
      const voipId = await this.addTrunk(orgId, { port: trunkPort, transport: 'udp' });
      const from = this.uniqueNumber();
      await this.addNumber(orgId, from, { voipId });
      return { orgId, apiKey, from };
    },
    async placeCall(orgId, c) {
      const config = c.config ?? DEFAULT_AGENT_CONFIG;
      const id = await store.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('calls')
          .values({
            org_id: orgId,
            direction: 'outbound',
            from_number: c.from,
            to_number: c.to,
            status: 'in_progress',
            config: JSON.stringify(config),
            variables: '{}',
            product: String(config.product ?? 'spark'),
            voice: String(config.voice ?? ''),
            transcript: '[]',
            metrics: '{}',
            is_test_call: 0,
            created_at: now(),
            updated_at: now(),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await deps.queue.enqueue(DIAL_QUEUE, { callId: row.id }, { trx });
        return row.id;
      });
      return id;
    },
    async waitForTerminal(callId, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const row = await store.db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirstOrThrow();
        if (row.status !== 'in_progress') return row;
        if (Date.now() > deadline)
          throw new Error(`call ${callId} still in_progress (phase ${row.phase}) after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async waitForWebhook(type, callId, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const request of rx.requests) {
          const body = JSON.parse(request.raw.toString('utf8') || '{}');
          if (body.type === type && body.data?.call_id === callId) return { request, body };
        }
        if (Date.now() > deadline) throw new Error(`no ${type} webhook for call ${callId} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      for (const extra of extraServers.splice(0)) await extra.close();
      await runtime.stop();
      await app.close();
      workers?.stop();
      workers = undefined;
      await deps.queue.stop(1000);
      await rx.close();
      await store.destroy();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
  return h;
}
