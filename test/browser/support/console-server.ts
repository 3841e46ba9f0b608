import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../e2e/support/sipp-runner';

export interface ConsoleServer {
  baseUrl: string;
  /** The development org's key that `npm start` prints once. */
  apiKey: string;
  adminToken: string;
  dataDir: string;
  /** stdout + stderr so far, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * The real server as `npm start` runs it (`node --import tsx src/main.ts`) on an empty SQLite
 * database in a temporary folder: API, console at /, SIP user agent, call runtime, webhook
 * workers. Its first start prints the development org's key, which the tests sign in with.
 */
export async function startConsoleServer(env: Record<string, string>): Promise<ConsoleServer> {
  // As `npm start` would (prestart): build web/ when its sources changed.
  const built = spawnSync(process.execPath, ['scripts/build-console.mjs'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`console build failed:\n${built.stdout}${built.stderr}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-console-'));
  const port = await freePort();
  const adminToken = `admin-${randomBytes(8).toString('hex')}`;
  // Below the ephemeral ports, apart from the e2e servers' (test/e2e/support/server-env.ts randomRtpBase).
  const rtpBase = 24_500 + 2 * Math.floor(Math.random() * 1_500);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `sqlite:${join(dataDir, 'thunderphone.db')}`,
      THUNDERPHONE_SECRET_KEY: randomBytes(32).toString('hex'),
      THUNDERPHONE_ADMIN_TOKEN: adminToken,
      SIP_PORT: String(await freePort()),
      SIP_BIND: '127.0.0.1',
      SIP_PUBLIC_ADDRESS: '127.0.0.1',
      RTP_PORT_MIN: String(rtpBase),
      RTP_PORT_MAX: String(rtpBase + 200),
      RECORDINGS_DIR: join(dataDir, 'recordings'),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 60_000;
  let apiKey: string | undefined;
  while (apiKey === undefined) {
    apiKey = /(sk_live_[0-9a-f]{48})/.exec(out)?.[1];
    if (apiKey && out.includes('ThunderPhone listening')) break;
    apiKey = undefined;
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    adminToken,
    dataDir,
    logs: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
