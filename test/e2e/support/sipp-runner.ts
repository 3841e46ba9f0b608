import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port free on 127.0.0.1 for both UDP and TCP (bound to 0, then released). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port');
}

/** An even port with the next one free too (RTP/RTCP pair for sipp's media). */
export async function freeMediaPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    const even = p % 2 === 0 ? p : p + 1;
    const ok = await Promise.all([even, even + 1, even + 2, even + 3].map(udpFree));
    if (ok.every(Boolean)) return even;
  }
  throw new Error('no free media port');
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const u = createSocket('udp4');
    u.once('error', () => resolve(false));
    u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
  });
}

/** Real 8 kHz human speech from asterisk-core-sounds-en-wav as headerless µ-law, padded with silence. */
export function speechUlaw(dir: string, sound: string, padBeforeS = 0.3, padAfterS = 0.5): string {
  const out = join(dir, `${sound}.ulaw`);
  const src = `/usr/share/asterisk/sounds/en_US_f_Allison/${sound}.wav`;
  const r = spawnSync('sox', [
    src,
    '-r',
    '8000',
    '-c',
    '1',
    '-t',
    'ul',
    out,
    'pad',
    String(padBeforeS),
    String(padAfterS),
  ]);
  if (r.status !== 0) throw new Error(`sox failed: ${r.stderr.toString()}`);
  return out;
}

/**
 * An answering machine's greeting from real recordings (Allison: "Nobody is available to take your
 * call at the moment." and Debian's beep.wav) as headerless 8 kHz µ-law, with silence around it.
 */
export function voicemailGreetingUlaw(dir: string, prompts = ['vm-nobodyavail', 'beep'], padAfterS = 2): string {
  const out = join(dir, `voicemail-${prompts.join('-')}.ulaw`);
  const parts = prompts.map((p) => `/usr/share/asterisk/sounds/en_US_f_Allison/${p}.wav`);
  const r = spawnSync('sox', [...parts, '-r', '8000', '-c', '1', '-t', 'ul', out, 'pad', '0.4', String(padAfterS)]);
  if (r.status !== 0) throw new Error(`sox failed: ${r.stderr.toString()}`);
  return out;
}

/**
 * What a UAS sipp run with `-trace_msg` received: per Request-URI user, the Call-IDs of the
 * INVITEs that carried credentials (one per call we placed; the first, challenged INVITE of a
 * call is not counted).
 */
export function authenticatedInvites(log: string): Map<string, Set<string>> {
  const byUser = new Map<string, Set<string>>();
  for (const m of log.split(/^-{10,}.*$/m)) {
    if (!/message received/.test(m)) continue;
    const invite = /^INVITE sip:([^@;>\s]+)@/m.exec(m);
    if (!invite || !/^Authorization:/im.test(m)) continue;
    const callId = /^Call-ID:\s*(\S+)/im.exec(m)?.[1] ?? '';
    const user = invite[1] ?? '';
    const ids = byUser.get(user) ?? new Set<string>();
    ids.add(callId);
    byUser.set(user, ids);
  }
  return byUser;
}

export interface SippProcess {
  port: number;
  mediaPort: number;
  /** Exit code (0 = scenario passed). */
  exited: Promise<number>;
  /** What sipp wrote on stderr plus its error log, for failure messages. */
  diagnostics(): string;
  /** The full text of sipp's log files (with `extraArgs: ['-trace_msg']`: every SIP message). */
  logs(): string;
  kill(): Promise<void>;
}

export interface SippOptions {
  scenarioXml: string;
  transport: 'udp' | 'tcp';
  /** UAC mode: where to send the INVITE (`127.0.0.1:5060`) and the Request-URI user. */
  remote?: string;
  service?: string;
  /** Hard limit for sipp itself. */
  timeoutS?: number;
  /** Calls sipp handles (concurrently, as a UAS) before it exits (default 1). */
  maxCalls?: number;
  workDir: string;
  /** SIP port to listen on (default: a free one); a trunk played by several sipp runs keeps its address. */
  port?: number;
  /** Loopback address sipp sends from and listens on (default 127.0.0.1; 127.0.0.2 is "another host"). */
  localIp?: string;
  /** More sipp options (`-trace_msg` ...). */
  extraArgs?: string[];
}

/** Runs one bounded sipp (`-m <maxCalls>`, `-timeout`) on loopback; always kill() it in the test's cleanup. */
export async function startSipp(o: SippOptions): Promise<SippProcess> {
  const port = o.port ?? (await freePort());
  const mediaPort = await freeMediaPort();
  const dir = mkdtempSync(join(o.workDir, 'sipp-'));
  const scenario = join(dir, 'scenario.xml');
  writeFileSync(scenario, o.scenarioXml);
  const args = [
    '-sf',
    scenario,
    '-i',
    o.localIp ?? '127.0.0.1',
    '-p',
    String(port),
    '-mi',
    o.localIp ?? '127.0.0.1',
    '-mp',
    String(mediaPort),
    '-t',
    o.transport === 'tcp' ? 't1' : 'u1',
    '-m',
    String(o.maxCalls ?? 1),
    '-nostdin',
    '-timeout',
    `${o.timeoutS ?? 30}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    join(dir, 'errors.log'),
  ];
  if (o.service !== undefined) args.push('-s', o.service);
  args.push(...(o.extraArgs ?? []));
  if (o.remote !== undefined) args.push(o.remote);
  const child: ChildProcess = spawn('/usr/bin/sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
  );
  // Give sipp a moment to bind before the test sends it anything.
  if (o.remote === undefined) await waitForBind(port, o.transport);
  return {
    port,
    mediaPort,
    exited,
    diagnostics: () => {
      const logs = readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => readFileSync(join(dir, f), 'utf8').slice(-3000))
        .join('\n');
      return `${stderr}\n${logs}`;
    },
    logs: () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n'),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until sipp has opened its port (read from /proc/net, never by binding it ourselves). */
async function waitForBind(port: number, transport: 'udp' | 'tcp'): Promise<void> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (let i = 0; i < 150; i++) {
    const table = readFileSync(transport === 'udp' ? '/proc/net/udp' : '/proc/net/tcp', 'utf8');
    if (table.split('\n').some((l) => l.trim().split(/\s+/)[1]?.endsWith(hex))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function makeWorkDir(): string {
  return mkdtempSync(join(tmpdir(), 'tp-e2e-'));
}
