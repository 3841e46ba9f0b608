/**
 * RTP loop benchmark: N RtpSessions on loopback in pairs, each pacing 20 ms PCMU frames of a tone
 * to its partner for a few seconds. Prints the send-interval jitter (|interval − 20 ms|, p50 / p99
 * / max over every session), lateness against the ideal schedule, CPU per session and packets lost.
 */
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RtpPortPool } from '../src/telephony/rtp/port-pool';
import { RtpSession } from '../src/telephony/rtp/rtp-session';
import { resample } from '../src/audio/resampler';
import { decodeMulaw, encodeMulaw } from '../src/audio/g711';

const SECONDS = Number(process.env.BENCH_RTP_SECONDS ?? 4);
const COUNTS = (process.env.BENCH_RTP_SESSIONS ?? '50,200,400').split(',').map(Number);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** p99 lateness of a lone 20 ms timer loop doing nothing: the machine's own timer noise. */
async function timerNoise(ms: number): Promise<number> {
  const late: number[] = [];
  const start = performance.now();
  let k = 1;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      late.push(now - (start + 20 * k));
      k++;
      if (now - start > ms) return resolve();
      setTimeout(tick, Math.max(1, Math.floor(start + 20 * k - performance.now())));
    };
    setTimeout(tick, 20);
  });
  return percentile(
    late.sort((a, b) => a - b),
    99,
  );
}

async function loop(n: number): Promise<number> {
  const base = 40000 + 2 * Math.floor(Math.random() * 1000);
  const pool = new RtpPortPool(base, base + 2 * n + 200);
  const sessions: RtpSession[] = [];
  for (let i = 0; i < n; i++) sessions.push(await RtpSession.open({ pool, bindAddress: '127.0.0.1' }));
  const tone = Int16Array.from({ length: 8000 * (SECONDS + 1) }, (_, i) =>
    Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)),
  );
  const intervals: number[] = [];
  const lateness: number[] = [];
  const received = new Array<number>(n).fill(0);
  sessions.forEach((s, i) => {
    const peer = sessions[i ^ 1]!;
    s.setRemote({
      codec: 'PCMU',
      payloadType: 0,
      telephoneEventPayloadType: 101,
      remoteAddress: '127.0.0.1',
      remotePort: peer.localPort,
      direction: 'sendrecv',
      ptimeMs: 20,
      onHold: false,
    });
    let last: number | undefined;
    let first: number | undefined;
    let k = 0;
    s.on('sent', () => {
      const now = performance.now();
      if (last !== undefined) intervals.push(Math.abs(now - last - 20));
      first ??= now;
      lateness.push(now - (first + 20 * k++));
      last = now;
    });
    s.on('audio', () => received[i]!++);
    s.sendAudio(tone);
  });
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // Calls start at random moments in real life: spread the sessions' 20 ms phases evenly.
  sessions.forEach((s, i) => setTimeout(() => s.start(), (i * 20) / n));
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const wallMs = performance.now() - t0;
  eld.disable();
  const cpu = process.cpuUsage(cpu0);
  const sent = sessions.reduce((a, s) => a + s.stats.packetsSent, 0);
  const lost = sessions.reduce((a, s) => a + s.stats.packetsLost, 0);
  await Promise.all(sessions.map((s) => s.close()));
  const got = received.reduce((a, b) => a + b, 0);
  intervals.sort((a, b) => a - b);
  lateness.sort((a, b) => a - b);
  const cpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  console.log(
    `sessions=${String(n).padStart(4)}  send jitter p50=${percentile(intervals, 50).toFixed(3)} ms p99=${percentile(intervals, 99).toFixed(3)} ms max=${intervals.at(-1)!.toFixed(1)} ms` +
      `  schedule lateness p99=${percentile(lateness, 99).toFixed(2)} ms  event-loop delay p99=${(eld.percentile(99) / 1e6).toFixed(1)} ms  cpu=${cpuPct.toFixed(1)}% total, ${(cpuPct / n).toFixed(3)}% per session` +
      `  packets sent=${sent} received-as-frames=${got} lost=${lost} (in flight at stop ≤ ${n})`,
  );
  return percentile(intervals, 99);
}

function codecFigures(): void {
  const speech = Int16Array.from({ length: 22050 * 10 }, (_, i) =>
    Math.round(8000 * Math.sin(i / 7) * Math.sin(i / 900)),
  );
  let t = performance.now();
  const down = resample(speech, 22050, 8000);
  const resampleMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < 10; i++) decodeMulaw(encodeMulaw(down));
  const g711Ms = (performance.now() - t) / 10;
  const up = performance.now();
  resample(down, 8000, 16000);
  const upMs = performance.now() - up;
  console.log(
    `codecs: 10 s 22.05→8 kHz resample ${resampleMs.toFixed(1)} ms, 8→16 kHz ${upMs.toFixed(1)} ms, µ-law encode+decode of 10 s ${g711Ms.toFixed(2)} ms`,
  );
}

export async function run(): Promise<void> {
  console.log(
    `machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, node ${process.version}; ${SECONDS} s per run, one process (one core for JS)`,
  );
  codecFigures();
  console.log(
    `timer noise: a lone idle 20 ms timer loop is late by p99=${(await timerNoise(2000)).toFixed(2)} ms on this machine right now`,
  );
  let sustained = 0;
  for (const n of COUNTS) if ((await loop(n)) < 2) sustained = Math.max(sustained, n);
  console.log(
    `sustained with p99 send jitter < 2 ms on one core: ${sustained > 0 ? `${sustained} sessions` : `none of ${COUNTS.join('/')}`} (of the counts tried)`,
  );
}
