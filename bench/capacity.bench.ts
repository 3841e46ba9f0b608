/**
 * Capacity benchmark (`npm run bench -- capacity`): N concurrent complete calls over real SIP and
 * RTP, stepping N up. sipp is the trunk: it places the calls (INVITE → 200 → ACK → hold → BYE) at
 * BENCH_CAPACITY_CPS; each call's media is a far-end process (rtp-arrival-recorder) that plays
 * real speech (espeak-ng, 8 kHz µ-law) toward us and timestamps every packet we send. Our side is
 * the real CallAgent (SIP UA + RTP) with an instant stand-in agent (it answers and speaks a
 * prompt at once) and the stereo CallRecorder on. Per N: send jitter p50/p99 (|inter-arrival −
 * 20 ms| at the receiving process), late frames (an interval over 40 ms) and lost frames (sequence
 * gaps) in a measuring window when all calls are up, CPU and RSS per call, setup time (INVITE
 * received → 200 sent). For RTP on the main thread (MEDIA_WORKERS=0) and on media workers, and the
 * C reference: sipp answering the same calls and playing the same speech with rtp_stream.
 * Reports the largest N with p99 < 2 ms and no loss, and the ratio to the reference.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRAME_SAMPLES } from '../src/audio/frame';
import { decodeMulaw } from '../src/audio/g711';
import { CallAgent } from '../src/telephony/call/call-agent';
import { InProcessMediaEngine } from '../src/telephony/media/in-process-media-engine';
import type { MediaEngine } from '../src/telephony/media/media-session';
import { MediaWorkerPool, type MediaWorkerPriority } from '../src/telephony/media/media-worker-pool';
import { RtpPortPool } from '../src/telephony/rtp/port-pool';
import {
  arrivalClockMs,
  interArrivalDeviations,
  startArrivalRecorder,
  type ArrivalStream,
} from '../src/telephony/rtp/testing/rtp-arrival-recorder';
import { CallRecorder } from '../src/telephony/recording/call-recorder';

const COUNTS = (process.env.BENCH_CAPACITY_CALLS ?? '25,50,100,150,200,300').split(',').map(Number);
const CPS = Number(process.env.BENCH_CAPACITY_CPS ?? 50);
const WINDOW_MS = Number(process.env.BENCH_CAPACITY_WINDOW_MS ?? 4000);
/** MEDIA_WORKER_PRIORITY of the workers run. */
const PRIORITY = (process.env.BENCH_CAPACITY_PRIORITY ?? 'realtime') as MediaWorkerPriority;
const SCENARIOS = new URL('./sipp/', import.meta.url).pathname;

interface StepResult {
  n: number;
  answered: number;
  p50: number;
  p99: number;
  late: number;
  lost: number;
  frames: number;
  cpuPctPerCall?: number;
  rssKbPerCall?: number;
  setupP50?: number;
  setupP99?: number;
  workerLoad?: string;
}

const pct = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

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

/** SCHED_FIFO 10 for sipp's media sender, like the workers', when permitted: a fair reference. */
const CAN_RAISE = spawnSync('chrt', ['-f', '10', 'true']).status === 0;

function runSipp(args: string[], realtime = false): Promise<{ code: number | null; stderr: string }> {
  const [cmd, pre] = realtime && CAN_RAISE ? ['chrt', ['-f', '10', '/usr/bin/sipp']] : ['/usr/bin/sipp', []];
  const child = spawn(cmd, [...pre, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
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

/** Window statistics over every stream that carried packets through the window. */
function measure(streams: ArrivalStream[], fromMs: number, toMs: number): Omit<StepResult, 'n' | 'answered'> {
  const deviations: number[] = [];
  let late = 0;
  let lost = 0;
  let frames = 0;
  for (const s of streams) {
    const d = interArrivalDeviations(s, fromMs, toMs);
    for (const x of d) {
      deviations.push(x);
      if (x > 20) late++;
    }
    const seqs = s.seqs.filter((_, i) => s.arrivalsMs[i]! >= fromMs && s.arrivalsMs[i]! <= toMs);
    frames += seqs.length;
    if (seqs.length > 1) {
      const span = ((seqs.at(-1)! - seqs[0]! + 0x10000) & 0xffff) + 1;
      lost += Math.max(0, span - seqs.length);
    }
  }
  deviations.sort((a, b) => a - b);
  return { p50: pct(deviations, 0.5), p99: pct(deviations, 0.99), late, lost, frames };
}

async function ourStep(
  n: number,
  engineKind: 'workers' | 'in-process',
  dir: string,
  speech: Uint8Array,
): Promise<StepResult> {
  const base = 30000 + 2 * Math.floor(Math.random() * 5000);
  const pool = new RtpPortPool(base, base + 2 * n + 100);
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
  const recorders: CallRecorder[] = [];
  let answered = 0;
  ua.on('incomingCall', (call) => {
    const t0 = arrivalClockMs();
    void call.accept().then((leg) => {
      setups.push(arrivalClockMs() - t0);
      answered++;
      const media = leg.media!;
      const rec = new CallRecorder({ path: join(dir, `rec-${engineKind}-${n}-${answered}.wav`), channels: 2 });
      recorders.push(rec);
      media.on('audio', (f) => rec.writeInbound(f));
      media.on('sent', (f) => rec.writeOutbound(f));
      // The stand-in agent: speaks at once (a 10 s prompt; silence after it).
      media.sendAudio(prompt);
    });
  });
  const recorder = startArrivalRecorder();
  const ports = await recorder.bind(n, speech);
  const inf = join(dir, `ports-${n}.csv`);
  writeFileSync(inf, `SEQUENTIAL\n${ports.map((p) => `${p};`).join('\n')}\n`);
  const rampMs = (n / CPS) * 1000;
  const holdMs = Math.round(rampMs + WINDOW_MS + 1500);
  const file = scenario(dir, 'uac-capacity.xml', { hold_ms: String(holdMs) });
  const cpu0 = process.cpuUsage();
  const rss0 = process.memoryUsage().rss;
  const t0 = arrivalClockMs();
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
  const from = arrivalClockMs();
  const rss1 = process.memoryUsage().rss;
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const to = arrivalClockMs();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = to - t0;
  const streams = await recorder.report();
  const load = engine.stats().workers;
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
    cpuPctPerCall: cpuPct / n,
    rssKbPerCall: (rss1 - rss0) / 1024 / n,
    setupP50: pct(setups, 0.5),
    setupP99: pct(setups, 0.99),
    ...(load.length > 0
      ? {
          workerLoad: load
            .map(
              (w) =>
                `w${w.worker}: ${w.sessions} calls, tick lag p99 ${w.tickLagP99Ms.toFixed(1)} max ${w.tickLagMaxMs.toFixed(1)} ms, ${w.skippedSlots} skipped`,
            )
            .join('; '),
        }
      : {}),
  };
}

/** The C reference: sipp answers the same calls and plays the same speech with rtp_stream. */
async function referenceStep(n: number, dir: string): Promise<StepResult> {
  const raw = join(dir, 'speech.ulaw');
  const recorder = startArrivalRecorder();
  const ports = await recorder.bind(n);
  const inf = join(dir, `ref-ports-${n}.csv`);
  writeFileSync(inf, `SEQUENTIAL\n${ports.map((p) => `${p};`).join('\n')}\n`);
  const rampMs = (n / CPS) * 1000;
  const holdMs = Math.round(rampMs + WINDOW_MS + 1500);
  const uasPort = 15060 + Math.floor(Math.random() * 1000);
  const uas = runSipp([
    '-sf',
    scenario(dir, 'uas-speech.xml', { speech: raw }),
    '-i',
    '127.0.0.1',
    '-p',
    String(uasPort),
    '-mi',
    '127.0.0.1',
    '-m',
    String(n),
    '-nostdin',
    '-timeout',
    `${Math.ceil(holdMs / 1000) + 30}s`,
  ]);
  await new Promise((r) => setTimeout(r, 300));
  const uac = runSipp([
    '-sf',
    scenario(dir, 'uac-capacity.xml', { hold_ms: String(holdMs) }),
    `127.0.0.1:${uasPort}`,
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
  const from = arrivalClockMs();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const to = arrivalClockMs();
  const streams = await recorder.report();
  await Promise.all([uac, uas]);
  await recorder.close();
  const m = measure(streams, from, to);
  return { n, answered: streams.filter((s) => s.arrivalsMs.length > 0).length, ...m };
}

function line(label: string, r: StepResult): string {
  const f = (x: number | undefined, d = 2): string => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
  return (
    `${label.padEnd(19)} calls=${String(r.n).padStart(3)} up=${String(r.answered).padStart(3)}  send jitter p50=${f(r.p50)} ms p99=${f(r.p99)} ms` +
    `  late=${r.late} lost=${r.lost} of ${r.frames} frames` +
    (r.cpuPctPerCall !== undefined
      ? `  cpu/call=${f(r.cpuPctPerCall, 3)}% rss/call=${f(r.rssKbPerCall, 0)} kB setup p50=${f(r.setupP50, 1)} p99=${f(r.setupP99, 1)} ms`
      : '') +
    (r.workerLoad ? `\n           ${r.workerLoad}` : '')
  );
}

const sustains = (r: StepResult): boolean => r.answered === r.n && r.p99 < 2 && r.lost === 0 && r.late === 0;

async function sweep(label: string, step: (n: number) => Promise<StepResult>): Promise<number> {
  let best = 0;
  let failures = 0;
  for (const n of COUNTS) {
    const r = await step(n);
    console.log(line(label, r));
    if (sustains(r)) {
      best = n;
      failures = 0;
    } else if (++failures === 2) break; // two failed steps in a row: larger N will not do better
  }
  return best;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'capacity-'));
  try {
    const speech = speechUlaw(dir);
    console.log(
      `machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}; calls ${COUNTS.join('/')} at ${CPS} calls/s, ` +
        `${WINDOW_MS} ms measuring window, speech ${(speech.length / 8000).toFixed(1)} s (espeak-ng), recording on; ` +
        `frames of ${FRAME_SAMPLES} samples`,
    );
    const modes = (process.env.BENCH_CAPACITY_MODES ?? 'main,workers,reference').split(',');
    const main = modes.includes('main') ? await sweep('main', (n) => ourStep(n, 'in-process', dir, speech)) : 0;
    const workers = modes.includes('workers')
      ? await sweep(`workers (${PRIORITY})`, (n) => ourStep(n, 'workers', dir, speech))
      : 0;
    const reference = modes.includes('reference') ? await sweep('sipp (C)', (n) => referenceStep(n, dir)) : 0;
    const ratio = (x: number): string => (reference > 0 ? `${(x / reference).toFixed(2)}×` : 'n/a');
    console.log(
      `largest N with p99 < 2 ms, no late or lost frame: main thread ${main}, media workers ${workers}, ` +
        `C reference (sipp rtp_stream) ${reference}; ratio to reference: main ${ratio(main)}, workers ${ratio(workers)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
