/**
 * Kernel timestamps of the RTP packets on loopback, for the capacity bench: tcpdump captures the
 * window (nanosecond timestamps the kernel takes as each packet passes `lo`, i.e. when the sender's
 * `sendmsg` handed it over and the receiver's socket got it), so the spacing it shows is the
 * sender's own, without the measuring process's scheduling and garbage collection on top. The
 * userspace far end (rtp-arrival-recorder) stays the primary figure; this one tells how much of it
 * the far end adds. tcpdump comes with `apt-get install tcpdump` (or scripts/ensure-system-deps.sh);
 * without it the bench prints a message and skips this column.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { readPcapUdp, type UdpDatagram } from '../src/telephony/rtp/testing/pcap-reader';

export const tcpdumpInstalled = (): boolean => spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).status === 0;

/** One direction of one call's RTP: packets from `src` to `dst`, in capture order. */
export interface KernelStream {
  src: number;
  dst: number;
  timesMs: number[];
  seqs: number[];
}

export interface KernelCapture {
  /** Ends the capture and returns its RTP streams (a packet seen twice on `lo` counts once). */
  stop(): Promise<KernelStream[]>;
}

/** Starts tcpdump on `lo` for UDP matching `filter` (BPF), resolved once it is listening. */
export async function startKernelCapture(file: string, filter: string): Promise<KernelCapture> {
  const proc: ChildProcess = spawn(
    'tcpdump',
    ['-i', 'lo', '-n', '-q', '-s', '64', '-B', '65536', '--time-stamp-precision=nano', '-U', '-w', file, filter],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('listening on')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`tcpdump exited (${code}): ${stderr.trim()}`)));
  });
  return {
    stop: async () => {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGINT');
      await exited;
      const datagrams = readPcapUdp(file);
      rmSync(file, { force: true });
      return streamsOf(datagrams);
    },
  };
}

function streamsOf(datagrams: UdpDatagram[]): KernelStream[] {
  const byPair = new Map<number, KernelStream & { seen: Set<number> }>();
  for (const d of datagrams) {
    if (d.payload.length < 4 || d.payload[0]! >> 6 !== 2) continue; // RTP version 2 only
    const key = d.srcPort * 0x10000 + d.dstPort;
    let s = byPair.get(key);
    if (!s) byPair.set(key, (s = { src: d.srcPort, dst: d.dstPort, timesMs: [], seqs: [], seen: new Set() }));
    const seq = (d.payload[2]! << 8) | d.payload[3]!;
    if (s.seen.has(seq)) continue;
    s.seen.add(seq);
    s.timesMs.push(d.timeMs);
    s.seqs.push(seq);
  }
  return [...byPair.values()].map(({ src, dst, timesMs, seqs }) => ({ src, dst, timesMs, seqs }));
}
