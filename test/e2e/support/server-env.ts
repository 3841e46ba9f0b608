import { join } from 'node:path';

export interface ServerEnvOptions {
  databaseUrl: string;
  /** Shared by every server of one deployment (trunk credentials are sealed with it). */
  secretKey: Buffer;
  /** The test's work dir: recordings go to `<dir>/recordings`. */
  dir: string;
  /** Fake OpenAI-compatible LLM and STT servers (src/voice/testing). */
  llmBaseUrl: string;
  sttBaseUrl: string;
  /** First RTP port of this server (randomRtpBase()); servers on one machine need ranges apart. */
  rtpBase: number;
  /** RTP ports in its range (default 200). */
  rtpPorts?: number;
  /** Anything else (LOG_LEVEL defaults to silent). */
  extra?: Record<string, string>;
}

/** The environment of a real `src/main.ts` under test (startServerProcess): loopback SIP/RTP, fake AI services. */
export function serverEnv(o: ServerEnvOptions): Record<string, string> {
  return {
    DATABASE_URL: o.databaseUrl,
    THUNDERPHONE_SECRET_KEY: o.secretKey.toString('hex'),
    SIP_BIND: '127.0.0.1',
    SIP_PUBLIC_ADDRESS: '127.0.0.1',
    RTP_PORT_MIN: String(o.rtpBase),
    RTP_PORT_MAX: String(o.rtpBase + (o.rtpPorts ?? 200)),
    RECORDINGS_DIR: join(o.dir, 'recordings'),
    LLM_BASE_URL: o.llmBaseUrl,
    LLM_MODEL: 'fake-model',
    STT_BASE_URL: o.sttBaseUrl,
    LOG_LEVEL: 'silent',
    ...o.extra,
  };
}

/**
 * An even RTP port in 10000..24000 at random: parallel test files rarely pick overlapping ranges.
 * Test RTP ranges stay below Linux's ephemeral ports (32768–60999), where freePort() finds SIP and
 * HTTP ports and clients get theirs, so a server's RTP socket never takes a port another test was
 * just given. The plan: servers here 10000–24400; the console's 24500–27700
 * (test/browser/support/console-server.ts); RTP unit tests 27800–31900 (rtp-test-kit.ts).
 */
export function randomRtpBase(): number {
  return 10_000 + 2 * Math.floor(Math.random() * 7_000);
}
