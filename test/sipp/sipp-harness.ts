import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SCENARIOS = new URL('.', import.meta.url).pathname;

/** A port that is free for both UDP and TCP right now (bind 0, read, close). */
export async function freePort(): Promise<number> {
  for (;;) {
    const udp = createSocket('udp4');
    const port = await new Promise<number>((resolve) => udp.bind(0, '127.0.0.1', () => resolve(udp.address().port)));
    const tcpOk = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    // sipp uses media port+2 for video/RTCP neighbours; keep even ports and a gap below 65000
    if (tcpOk && port < 64000) return port;
  }
}

export interface SippRun {
  port: number;
  mediaPort: number;
  /** Resolves with sipp's exit code (0 = every call passed). */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Text of the -message_file trace (after exit). */
  messages(): string;
  kill(): void;
}

/**
 * Spawns sipp bounded by `-m 1` and `-timeout`, on free ports, in the foreground.
 * `scenario` is a file under test/sipp/ or a built-in name prefixed with `builtin:`.
 */
export async function startSipp(
  scenario: string,
  opts: {
    remote?: string;
    extra?: string[];
    timeoutS?: number;
    tcp?: boolean;
    calls?: number;
    vars?: Record<string, string>;
    /**
     * Run sipp at SCHED_FIFO 20 (all its threads) when permitted: the far end's own sending is then
     * not delayed by this shared machine's load (a phone's is not), e.g. when a test compares a
     * recording with the stream sipp sent.
     */
    realtime?: boolean;
  } = {},
): Promise<SippRun> {
  const port = await freePort();
  let mediaPort = await freePort();
  if (mediaPort % 2 === 1) mediaPort -= 1;
  const dir = mkdtempSync(join(tmpdir(), 'sipp-'));
  const msgFile = join(dir, 'messages.log');
  let file = join(SCENARIOS, scenario);
  if (opts.vars) {
    // {{name}} placeholders where sipp needs a literal at load time (e.g. a response code).
    let xml = readFileSync(file, 'utf8');
    for (const [k, v] of Object.entries(opts.vars)) xml = xml.replaceAll(`{{${k}}}`, v);
    file = join(dir, scenario);
    writeFileSync(file, xml);
  }
  const args = [
    ...(scenario.startsWith('builtin:') ? ['-sn', scenario.slice(8)] : ['-sf', file]),
    ...(opts.remote ? [opts.remote] : []),
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-mi',
    '127.0.0.1',
    '-mp',
    String(mediaPort),
    '-m',
    String(opts.calls ?? 1),
    '-nostdin',
    '-timeout',
    `${opts.timeoutS ?? 10}s`,
    '-timeout_error',
    '-trace_msg',
    '-message_file',
    msgFile,
    '-trace_err',
    '-error_file',
    join(dir, 'errors.log'),
    ...(opts.tcp ? ['-t', 't1'] : []),
    ...(opts.extra ?? []),
  ];
  const child = spawn('/usr/bin/sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (opts.realtime && child.pid !== undefined)
    spawnSync('chrt', ['-f', '-a', '-p', '20', String(child.pid)], { stdio: 'ignore' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  // sipp needs a moment to bind its sockets before the peer may send.
  await waitForBind(port, opts.tcp === true, done);
  return {
    port,
    mediaPort,
    done,
    messages: () => {
      try {
        return readFileSync(msgFile, 'utf8');
      } catch {
        return '';
      }
    },
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      setTimeout(() => rmSync(dir, { recursive: true, force: true }), 50);
    },
  };
}

async function waitForBind(port: number, tcp: boolean, done: Promise<unknown>): Promise<void> {
  let exited = false;
  void done.then(() => (exited = true));
  for (let i = 0; i < 100 && !exited; i++) {
    const busy = tcp
      ? await new Promise<boolean>((resolve) => {
          const srv = createServer();
          srv.once('error', () => resolve(true));
          srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(false)));
        })
      : await new Promise<boolean>((resolve) => {
          const s = createSocket('udp4');
          s.once('error', () => resolve(true));
          s.bind(port, '127.0.0.1', () => s.close(() => resolve(false)));
        });
    if (busy) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
