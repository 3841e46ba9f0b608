import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './sipp-runner';

/** A real `src/main.ts` process (exactly what `npm start` runs) on loopback ports of its own. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Its SIP port (UDP and TCP on 127.0.0.1 unless SIP_BIND says otherwise). */
  sipPort: number;
  /** The development org's key, when this start created it. */
  apiKey: string | undefined;
  exited: Promise<void>;
  /** The server's pino lines (stderr) so far, parsed; non-JSON lines are skipped. */
  logLines(): Record<string, any>[];
  /** What it wrote so far, for failure messages. */
  output(): string;
  /** The public API over real HTTP. */
  api(method: string, path: string, body?: unknown, apiKey?: string): Promise<{ status: number; body: any }>;
  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export async function startServerProcess(env: Record<string, string>, startTimeoutMs = 20_000): Promise<ServerProcess> {
  const port = await freePort();
  const sipPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', SIP_PORT: String(sipPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}\n${err}`)), startTimeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('SIP:') && (!out.includes('Created a development org') || /sk_live_\w+/.test(out))) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`server exited: ${out}\n${err}`));
    });
  });
  const apiKey = /sk_live_\w+/.exec(out)?.[0];
  return {
    child,
    port,
    sipPort,
    apiKey,
    exited,
    logLines: () =>
      err.split('\n').flatMap((line) => {
        if (!line.startsWith('{')) return [];
        try {
          return [JSON.parse(line) as Record<string, any>];
        } catch {
          return [];
        }
      }),
    output: () => `${out}\n${err.slice(-6000)}`,
    async api(method, path, body, key = apiKey) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
