/**
 * Capacity benchmark (`npm run bench -- capacity`): N concurrent complete calls over real SIP and
 * RTP, stepping N up. sipp is the trunk: it places the calls (INVITE → 200 → ACK → hold → BYE) at
 * BENCH_CAPACITY_CPS; each call's media is a far-end process (rtp-arrival-recorder) that plays
 * real speech (espeak-ng, 8 kHz µ-law) toward us and timestamps every packet we send. Our side is
 * the real CallAgent (SIP UA + RTP) with an instant stand-in agent (it answers and speaks a
 * prompt at once) and the call's stereo recording on, through the production path (CallRecording:
 * the media worker records its session; in-process, the main thread does). Per N: send jitter p50/p99 (|inter-arrival −
 * 20 ms| at the receiving process), late frames (an interval over 40 ms) and lost frames (sequence
 * gaps) in a measuring window when all calls are up, CPU and RSS per call, setup time (INVITE
 * received → 200 sent); CPU (all threads of our process, over the window) and RSS per call. For
 * RTP on media workers (and, with BENCH_CAPACITY_MODES=main,…, on the main thread), and the C
 * reference: rtpengine (userspace) relaying the same speech both ways for N calls
 * (rtpengine-reference.ts), skipped with a message when it is not installed. Prints a table and
 * the largest N with p99 < 2 ms and no late or lost frame, ours ÷ the reference's, twice: on the
 * far end's own timestamps and on the kernel's (kernel-capture.ts: tcpdump on lo, when installed),
 * which show the sender's spacing without the measuring process's own scheduling on top (on this
 * 2-core machine the far end shares the cores with what it measures).
 * Per worker: tick lag (how late its 20 ms clock fired), tick work (how long a tick ran its
 * sessions) and its garbage collections in the window. The far end runs at SCHED_FIFO 5, below the
 * workers' and rtpengine's 10: it never takes a core from what it measures (at their level, its
 * bursts and its garbage collector's threads held the workers back: kernel p99 1.3–2.8 ms at 200
 * calls against 0.9–1.6 ms at 5), and still runs ahead of everything else on the machine.
 * Env: BENCH_CAPACITY_CALLS (steps), _CPS, _WINDOW_MS, _PRIORITY, _MODES (main,workers,reference),
 * _RECORDER_PRIORITY (SCHED_FIFO of the far end; 0 = normal; default 5, 0 when the workers are not
 * realtime), _KERNEL=0 (no tcpdump capture).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRAME_SAMPLES } from '../src/audio/frame';
import { decodeMulaw } from '../src/audio/g711';
import { CallRecording } from '../src/calls/call-recording';
import { systemClock } from '../src/shared/clock';
import { silentLogger } from '../src/shared/log';
import { CallAgent } from '../src/telephony/call/call-agent';
import { InProcessMediaEngine } from '../src/telephony/media/in-process-media-engine';
import type { MediaEngine, MediaWorkerLoad } from '../src/telephony/media/media-session';
import { MediaWorkerPool, type MediaWorkerPriority } from '../src/telephony/media/media-worker-pool';
import { RtpPortPool } from '../src/telephony/rtp/port-pool';
import { arrivalClockMs, startArrivalRecorder } from '../src/telephony/rtp/testing/rtp-arrival-recorder';
import { measure, measureKernel, measureKernelRelayed, measureRelayed, pct, type Spacing } from './capacity-measure';
import { startKernelCapture, tcpdumpInstalled, type KernelCapture } from './kernel-capture';
import { Rtpengine, rtpengineInstalled } from './rtpengine-reference';

const COUNTS = (process.env.BENCH_CAPACITY_CALLS ?? '50,100,200,300,400').split(',').map(Number);
const CPS = Number(process.env.BENCH_CAPACITY_CPS ?? 50);
const WINDOW_MS = Number(process.env.BENCH_CAPACITY_WINDOW_MS ?? 4000);
/** MEDIA_WORKER_PRIORITY of the workers run. */
const PRIORITY = (process.env.BENCH_CAPACITY_PRIORITY ?? 'realtime') as MediaWorkerPriority;
/** SCHED_FIFO of the far-end process: below the workers' REALTIME_PRIORITY (10), so it never preempts them. */
const RECORDER_PRIORITY = Number(process.env.BENCH_CAPACITY_RECORDER_PRIORITY ?? (PRIORITY === 'realtime' ? 5 : 0));
const SCENARIOS = new URL('./sipp/', import.meta.url).pathname;

interface StepResult extends Spacing {
  n: number;
  answered: number;
  /** The same spacing on the kernel's timestamps (tcpdump on lo), when tcpdump is installed. */
  kernel?: Spacing;
  cpuPctPerCall?: number;
  rssKbPerCall?: number;
  setupP50?: number;
  setupP99?: number;
  workerLoad?: string;
  /** Reference only: p99 of the raw receiver intervals (the player's own jitter included). */
  rawP99?: number;
}

function speechUlaw(dir: string): Uint8Array {
  const wav = join(dir, 'speech.wav');
  const raw = join(dir, 'speech.ulaw');
  const text =
    'Thank you for calling. Your appointment is confirmed for Tuesday at three in the afternoon. ' +
    'If you need to change it, say change, or press one. Otherwise, have a wonderful day.';
  spawnSync('espeak-ng', ['-v', 'en-us', '-w', wav, text]);
  spawnSync('sox', [wav, '-r', '8000', '-c', '1', '-t', 'ul', raw]);
  return new Uint8Array(readFileSync(raw));
}

/** SCHED_FIFO 10 for rtpengine, like the workers', when permitted: a fair reference. */
const CAN_RAISE = spawnSync('chrt', ['-f', '10', 'true']).status === 0;

function runSipp(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn('/usr/bin/sipp', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

function scenario(dir: string, name: string, vars: Record<string, string>): string {
  let xml = readFileSync(join(SCENARIOS, name), 'utf8');
  for (const [k, v] of Object.entries(vars)) xml = xml.replaceAll(`{{${k}}}`, v);
  const file = join(dir, `${Date.now()}-${name}`);
  writeFileSync(file, xml);
  return file;
}

/** BENCH_CAPACITY_KERNEL=0 turns the kernel-timestamp column off. */
const KERNEL = process.env.BENCH_CAPACITY_KERNEL !== '0' && tcpdumpInstalled();

/** A tcpdump capture of the window (kernel timestamps), or undefined without tcpdump. */
const kernelCapture = (dir: string, filter: string): Promise<KernelCapture | undefined> =>
  KERNEL ? startKernelCapture(join(dir, `window-${Date.now()}.pcap`), filter) : Promise.resolve(undefined);

async function ourStep(
  n: number,
  engineKind: 'workers' | 'in-process',
  dir: string,
  speech: Uint8Array,
): Promise<StepResult> {
  const base = 30000 + 2 * Math.floor(Math.random() * 5000);
  const top = base + 2 * n + 100;
  const pool = new RtpPortPool(base, top);
  const engine: MediaEngine =
    engineKind === 'workers'
      ? await MediaWorkerPool.start({ workers: availableParallelism(), pool, priority: PRIORITY })
      : new InProcessMediaEngine(pool);
  const ua = await CallAgent.start({
    bindAddress: '127.0.0.1',
    port: 0,
    media: { pool, engine, bindAddress: '127.0.0.1' },
  });
  const prompt = decodeMulaw(speech);
  const setups: number[] = [];
  const recorders: CallRecording[] = [];
  let answered = 0;
  ua.on('incomingCall', (call) => {
    const t0 = arrivalClockMs();
    void call.accept().then((leg) => {
      setups.push(arrivalClockMs() - t0);
      answered++;
      const media = leg.media!;
      // The production path (CallRecording): on workers the worker records the session itself;
      // in-process, the same SessionRecorder runs on this thread from the session's events.
      const rec = new CallRecording({
        path: join(dir, `rec-${engineKind}-${n}-${answered}.wav`),
        clock: systemClock,
        log: silentLogger,
      });
      recorders.push(rec);
      rec.start(media);
      // The stand-in agent: speaks at once (a 10 s prompt; silence after it).
      media.sendAudio(prompt);
    });
  });
  const recorder = startArrivalRecorder({ realtimePriority: RECORDER_PRIORITY });
  const ports = await recorder.bind(n, speech);
  const inf = join(dir, `ports-${n}.csv`);
  writeFileSync(inf, `SEQUENTIAL\n${ports.map((p) => `${p};`).join('\n')}\n`);
  const rampMs = (n / CPS) * 1000;
  const holdMs = Math.round(rampMs + WINDOW_MS + 1500);
  const file = scenario(dir, 'uac-capacity.xml', { hold_ms: String(holdMs) });
  const rss0 = process.memoryUsage().rss;
  const sipp = runSipp([
    '-sf',
    file,
    `127.0.0.1:${ua.port}`,
    '-i',
    '127.0.0.1',
    '-p',
    '0',
    '-m',
    String(n),
    '-l',
    String(n),
    '-r',
    String(CPS),
    '-inf',
    inf,
    '-nostdin',
    '-timeout',
    `${Math.ceil(holdMs / 1000) + 30}s`,
  ]);
  await new Promise((r) => setTimeout(r, rampMs + 700));
  const capture = await kernelCapture(dir, `udp and src portrange ${base}-${top}`);
  const from = arrivalClockMs();
  const cpu0 = process.cpuUsage();
  const rss1 = process.memoryUsage().rss;
  const load0 = engine.stats().workers;
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const to = arrivalClockMs();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = to - from;
  const load = engine.stats().workers;
  const kernel = await capture?.stop();
  const streams = await recorder.report();
  await sipp;
  await recorder.close();
  await Promise.all(recorders.map((r) => r.close()));
  await ua.close();
  await engine.close();
  setups.sort((a, b) => a - b);
  const cpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  return {
    n,
    answered,
    ...measure(streams, from, to),
    ...(kernel ? { kernel: measureKernel(kernel, (p) => p >= base && p <= top, new Set(ports)) } : {}),
    cpuPctPerCall: cpuPct / n,
    rssKbPerCall: (rss1 - rss0) / 1024 / n,
    setupP50: pct(setups, 0.5),
    setupP99: pct(setups, 0.99),
    ...(load.length > 0 ? { workerLoad: workerLoad(load, load0) } : {}),
  };
}

/** Per worker over the window: tick lag and work (last 5 s), GCs (between the two readings). */
function workerLoad(end: MediaWorkerLoad[], start: MediaWorkerLoad[]): string {
  return end
    .map((w, i) => {
      const gcs = w.gcCount - (start[i]?.gcCount ?? 0);
      const major = w.gcMajorCount - (start[i]?.gcMajorCount ?? 0);
      const gcMs = w.gcTotalMs - (start[i]?.gcTotalMs ?? 0);
      return (
        `w${w.worker}: ${w.sessions} calls, tick lag p99 ${w.tickLagP99Ms.toFixed(1)} max ${w.tickLagMaxMs.toFixed(1)} ms, ` +
        `work p50 ${w.tickWorkP50Ms.toFixed(2)} p99 ${w.tickWorkP99Ms.toFixed(2)} max ${w.tickWorkMaxMs.toFixed(1)} ms, ` +
        `${gcs} GCs (${major} major) ${gcMs.toFixed(1)} ms (max ${w.gcMaxMs.toFixed(1)}), ${w.skippedSlots} skipped`
      );
    })
    .join('; ');
}

/**
 * The C reference: rtpengine relays each call's two streams (leg A and leg B are far-end ports
 * that play the same speech both ways), set up over its ng protocol at the same calls/s. What a
 * relay adds to the spacing is measured: each interval at the receiver minus the same packets'
 * interval at the sender, so the player's own jitter does not count against the relay (our side
 * generates its stream, so its receiver intervals are already only ours). Raw receiver jitter is
 * reported too.
 */
async function referenceStep(n: number, dir: string, speech: Uint8Array): Promise<StepResult> {
  const base = 40000 + 2 * Math.floor(Math.random() * 4000);
  const top = base + 4 * n + 200;
  const engine = await Rtpengine.start({
    portMin: base,
    portMax: top,
    ngPort: 21000 + Math.floor(Math.random() * 1000),
    realtime: CAN_RAISE,
  });
  const recorder = startArrivalRecorder({ realtimePriority: RECORDER_PRIORITY });
  try {
    const ports = await recorder.bind(2 * n);
    const rss0 = engine.rssKb();
    const setups: number[] = [];
    const t0 = arrivalClockMs();
    let answered = 0;
    for (let i = 0; i < n; i++) {
      const wait = t0 + (i * 1000) / CPS - arrivalClockMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const s0 = arrivalClockMs();
      const [a, b] = [ports[2 * i]!, ports[2 * i + 1]!];
      const legs = await engine.relay(`capacity-${i}`, a, b).catch(() => undefined);
      if (!legs) continue;
      setups.push(arrivalClockMs() - s0);
      answered++;
      await recorder.play(
        [
          { port: a, address: legs.toB.address, toPort: legs.toB.port },
          { port: b, address: legs.toA.address, toPort: legs.toA.port },
        ],
        i === 0 ? speech : undefined,
      );
    }
    await new Promise((r) => setTimeout(r, 700));
    const capture = await kernelCapture(dir, `udp and portrange ${base}-${top}`);
    const from = arrivalClockMs();
    const cpu0 = engine.cpuMs();
    const rss1 = engine.rssKb();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const to = arrivalClockMs();
    const cpuPct = ((engine.cpuMs() - cpu0) / (to - from)) * 100;
    const kernel = await capture?.stop();
    const streams = await recorder.report();
    for (let i = 0; i < n; i += 50)
      await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => engine.remove(`capacity-${i + k}`)));
    const byPort = new Map(streams.map((s) => [s.port, s]));
    // Leg A's port receives what leg B's port sent, and the other way round.
    const pairs = ports.map((p, k) => ({ rx: byPort.get(p)!, tx: byPort.get(ports[k ^ 1]!)! }));
    const raw = measure(streams, from, to);
    setups.sort((x, y) => x - y);
    return {
      n,
      answered,
      ...measureRelayed(pairs, from, to),
      ...(kernel
        ? {
            kernel: measureKernelRelayed(
              kernel,
              (p) => p >= base && p <= top,
              new Map(ports.map((p, k) => [p, ports[k ^ 1]!])),
            ),
          }
        : {}),
      rawP99: raw.p99,
      cpuPctPerCall: cpuPct / n,
      rssKbPerCall: (rss1 - rss0) / n,
      setupP50: pct(setups, 0.5),
      setupP99: pct(setups, 0.99),
    };
  } finally {
    await recorder.close();
    await engine.close();
  }
}

const f = (x: number | undefined, d = 2): string => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));

function table(rows: Array<{ label: string; r: StepResult }>): string {
  const head = [
    'mode',
    'N',
    'up',
    'p50 ms',
    'p99 ms',
    'late',
    'lost',
    'frames',
    'kernel p50',
    'kernel p99',
    'k late/lost',
    'cpu%/call',
    'MB/call',
    'setup p50 ms',
    'notes',
  ];
  const body = rows.map(({ label, r }) => [
    label,
    String(r.n),
    String(r.answered),
    f(r.p50),
    f(r.p99),
    String(r.late),
    String(r.lost),
    String(r.frames),
    f(r.kernel?.p50),
    f(r.kernel?.p99),
    r.kernel ? `${r.kernel.late}/${r.kernel.lost}` : '-',
    f(r.cpuPctPerCall, 3),
    f(r.rssKbPerCall === undefined ? undefined : r.rssKbPerCall / 1024, 3),
    f(r.setupP50, 1),
    r.rawP99 !== undefined ? `raw receiver p99 ${f(r.rawP99)} ms` : (r.workerLoad ?? ''),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  return [head, ...body]
    .map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padStart(widths[c]!))).join('  '))
    .join('\n');
}

function line(label: string, r: StepResult): string {
  return (
    `${label.padEnd(19)} calls=${String(r.n).padStart(3)} up=${String(r.answered).padStart(3)}  send jitter p50=${f(r.p50)} ms p99=${f(r.p99)} ms` +
    `  late=${r.late} lost=${r.lost} of ${r.frames} frames` +
    (r.rawP99 !== undefined ? ` (raw receiver p99 ${f(r.rawP99)} ms)` : '') +
    (r.kernel
      ? `; kernel timestamps p50=${f(r.kernel.p50)} p99=${f(r.kernel.p99)} ms late=${r.kernel.late} lost=${r.kernel.lost} of ${r.kernel.frames}`
      : '') +
    (r.cpuPctPerCall !== undefined
      ? `  cpu/call=${f(r.cpuPctPerCall, 3)}% rss/call=${f(r.rssKbPerCall, 0)} kB setup p50=${f(r.setupP50, 1)} p99=${f(r.setupP99, 1)} ms`
      : '') +
    (r.workerLoad ? `\n           ${r.workerLoad}` : '') +
    `  [load ${load()}]`
  );
}

const sustains = (r: StepResult, s: Spacing | undefined = r): boolean =>
  s !== undefined && r.answered === r.n && s.p99 < 2 && s.lost === 0 && s.late === 0;

/** The largest N that sustains, on the far end's timestamps and on the kernel's. */
interface Best {
  far: number;
  kernel: number;
}

async function sweep(
  label: string,
  step: (n: number) => Promise<StepResult>,
  rows: Array<{ label: string; r: StepResult }>,
): Promise<Best> {
  const best = { far: 0, kernel: 0 };
  let failures = 0;
  for (const n of COUNTS) {
    const r = await step(n);
    rows.push({ label, r });
    console.log(line(label, r));
    if (sustains(r, r.kernel)) best.kernel = n;
    if (sustains(r)) best.far = n;
    if (sustains(r) || sustains(r, r.kernel)) failures = 0;
    else if (++failures === 2) break; // two failed steps in a row: larger N will not do better
  }
  return best;
}

const ratioOf = (ours: number, reference: number | undefined): string =>
  reference ? (ours / reference).toFixed(2) : 'n/a';

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'capacity-'));
  try {
    const speech = speechUlaw(dir);
    console.log(
      `machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, load average ${load()}; calls ${COUNTS.join('/')} at ${CPS} calls/s, ` +
        `${WINDOW_MS} ms measuring window, far end at ${RECORDER_PRIORITY > 0 ? `SCHED_FIFO ${RECORDER_PRIORITY}` : 'normal priority'}, speech ${(speech.length / 8000).toFixed(1)} s (espeak-ng) both ways, recording on; ` +
        `frames of ${FRAME_SAMPLES} samples`,
    );
    const modes = (process.env.BENCH_CAPACITY_MODES ?? 'workers,reference').split(',');
    const rows: Array<{ label: string; r: StepResult }> = [];
    const none: Best = { far: 0, kernel: 0 };
    const main = modes.includes('main')
      ? await sweep('main', (n) => ourStep(n, 'in-process', dir, speech), rows)
      : none;
    const workers = modes.includes('workers')
      ? await sweep(`workers (${PRIORITY})`, (n) => ourStep(n, 'workers', dir, speech), rows)
      : none;
    let reference: Best | undefined;
    if (!modes.includes('reference')) reference = undefined;
    else if (!rtpengineInstalled())
      console.log(
        'C reference skipped: rtpengine is not installed (apt-get install rtpengine-daemon, or scripts/ensure-system-deps.sh)',
      );
    else reference = await sweep('rtpengine (C)', (n) => referenceStep(n, dir, speech), rows);
    console.log(`\n${table(rows)}\n`);
    const ours = modes.includes('workers') ? workers : main;
    const who = modes.includes('workers') ? 'media workers' : 'main thread';
    const alsoMain = (k: keyof Best): string =>
      modes.includes('main') && modes.includes('workers') ? ` (main thread ${main[k]})` : '';
    console.log(
      `largest N with p99 < 2 ms, no late or lost frame, at the far end: ours (${who}) ${ours.far}${alsoMain('far')}, ` +
        `reference (rtpengine, userspace) ${reference?.far ?? 'not run'}, ratio X/Y ${ratioOf(ours.far, reference?.far)}; load average ${load()}`,
    );
    if (KERNEL)
      console.log(
        `on kernel timestamps (tcpdump on lo): ours ${ours.kernel}${alsoMain('kernel')}, reference ${reference?.kernel ?? 'not run'}, ` +
          `ratio X/Y ${ratioOf(ours.kernel, reference?.kernel)}`,
      );
    else console.log('kernel timestamps skipped: tcpdump is not installed (apt-get install tcpdump)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
