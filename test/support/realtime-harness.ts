import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { DialectName } from '../../src/store/db';
import { createApiHarness, type ApiHarness } from './api-harness';
import { agentFactory } from '../../src/calls/agent-factory';
import type { AgentProviders } from '../../src/voice/index';
import { finalizeCall } from '../../src/calls/finalize-call';
import { RealtimeSessions, REALTIME_TIMINGS } from '../../src/calls/realtime-sessions';
import {
  startFakeOpenAiLlmServer,
  type FakeLlmScript,
  type FakeLlmServer,
} from '../../src/voice/testing/fake-openai-llm-server';
import {
  startFakeOpenAiSttServer,
  type FakeSttReply,
  type FakeSttServer,
  type FakeSttUpload,
} from '../../src/voice/testing/fake-openai-stt-server';

export interface RealtimeHarness {
  api: ApiHarness;
  sessions: RealtimeSessions;
  llm: FakeLlmServer;
  stt: FakeSttServer;
  /** https://127.0.0.1:<port> (the server speaks TLS with a throwaway self-signed certificate). */
  origin: string;
  /** The certificate to trust (the SDK's `options.ca`). */
  ca: Buffer;
  close(): Promise<void>;
}

/** A throwaway self-signed certificate for 127.0.0.1 (openssl). */
function selfSignedCert(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

/**
 * The API server listening with TLS on 127.0.0.1, realtime sessions wired like start-call-runtime
 * does (without SIP), and the FAKE paid-AI stand-ins: an OpenAI-compatible LLM and STT server.
 * TTS is the real local engine.
 */
export async function createRealtimeHarness(
  dialect: DialectName,
  script: { llm: FakeLlmScript; stt: FakeSttReply[] | ((upload: FakeSttUpload, index: number) => FakeSttReply) },
  env: Record<string, string> = {},
  /** Providers override (the bench's instant stand-ins); default: from the configuration, real TTS. */
  providers?: (llmBaseUrl: string, sttBaseUrl: string) => AgentProviders,
): Promise<RealtimeHarness> {
  const llm = await startFakeOpenAiLlmServer(script.llm);
  const stt = await startFakeOpenAiSttServer(script.stt);
  const dir = mkdtempSync(join(tmpdir(), 'tp-realtime-'));
  const tls = selfSignedCert(dir);
  let sessions!: RealtimeSessions;
  const api = await createApiHarness(dialect, {
    env: {
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'fake-model',
      STT_BASE_URL: stt.baseUrl,
      TLS_CERT_FILE: tls.certFile,
      TLS_KEY_FILE: tls.keyFile,
      RECORDINGS_DIR: join(dir, 'recordings'),
      ...env,
    },
    customize: (deps) => {
      sessions = new RealtimeSessions({
        db: deps.store.db,
        dialect: deps.store.dialect,
        config: deps.config,
        clock: deps.clock,
        ids: deps.ids,
        log: deps.log,
        voices: deps.voices,
        instance: 'test-instance',
        createAgent: agentFactory({
          config: deps.config,
          voices: deps.voices,
          clock: deps.clock,
          log: deps.log,
          toolHttp: deps.httpClient,
          timings: REALTIME_TIMINGS,
          ...(providers ? { providers: () => providers(llm.baseUrl, stt.baseUrl) } : {}),
        }),
        finalize: (input) =>
          finalizeCall(
            {
              db: deps.store.db,
              clock: deps.clock,
              rateCentsPerMinute: deps.config.rateCentsPerMinute,
              events: deps.webhooks,
            },
            input,
          ),
      });
      deps.realtime = sessions;
    },
  });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.app.server.address() as AddressInfo;
  return {
    api,
    sessions,
    llm,
    stt,
    origin: `https://127.0.0.1:${port}`,
    ca: readFileSync(tls.certFile),
    async close() {
      await sessions.stop();
      await api.close();
      await llm.close();
      await stt.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
