/**
 * The capacity bench's spacing statistics: per stream |inter-arrival − 20 ms| (or, for a relay,
 * the receiver's interval minus the sender's for the same packets), late frames (a deviation over
 * 20 ms) and lost frames (sequence gaps), from the userspace far end or from kernel timestamps.
 */
import { interArrivalDeviations, type ArrivalStream } from '../src/telephony/rtp/testing/rtp-arrival-recorder';
import type { KernelStream } from './kernel-capture';

export interface Spacing {
  p50: number;
  p99: number;
  late: number;
  lost: number;
  frames: number;
}

export const pct = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

const lostIn = (seqs: number[]): number =>
  seqs.length > 1 ? Math.max(0, ((seqs.at(-1)! - seqs[0]! + 0x10000) & 0xffff) + 1 - seqs.length) : 0;

function spacing(deviations: number[], lost: number, frames: number): Spacing {
  deviations.sort((a, b) => a - b);
  const late = deviations.filter((d) => d > 20).length;
  return { p50: pct(deviations, 0.5), p99: pct(deviations, 0.99), late, lost, frames };
}

/** Window statistics over every stream that carried packets through the window (userspace far end). */
export function measure(streams: ArrivalStream[], fromMs: number, toMs: number): Spacing {
  const deviations: number[] = [];
  let lost = 0;
  let frames = 0;
  for (const s of streams) {
    for (const x of interArrivalDeviations(s, fromMs, toMs)) deviations.push(x);
    const seqs = s.seqs.filter((_, i) => s.arrivalsMs[i]! >= fromMs && s.arrivalsMs[i]! <= toMs);
    frames += seqs.length;
    lost += lostIn(seqs);
  }
  return spacing(deviations, lost, frames);
}

/** Like measure(), but each receiver interval minus the interval at which the sender sent those packets. */
export function measureRelayed(
  pairs: Array<{ rx: ArrivalStream; tx: ArrivalStream }>,
  fromMs: number,
  toMs: number,
): Spacing {
  const deviations: number[] = [];
  let lost = 0;
  let frames = 0;
  for (const { rx, tx } of pairs) {
    const seqs: number[] = [];
    for (let i = 0; i < rx.arrivalsMs.length; i++) {
      const t = rx.arrivalsMs[i]!;
      if (t < fromMs || t > toMs) continue;
      seqs.push(rx.seqs[i]!);
      if (i === 0) continue;
      const sentNow = tx.sentMs[(rx.seqs[i]! - 1) & 0xffff];
      const sentBefore = tx.sentMs[(rx.seqs[i - 1]! - 1) & 0xffff];
      if (sentNow === undefined || sentBefore === undefined) continue;
      deviations.push(Math.abs(t - rx.arrivalsMs[i - 1]! - (sentNow - sentBefore)));
    }
    frames += seqs.length;
    lost += lostIn(seqs);
  }
  return spacing(deviations, lost, frames);
}

/** Kernel timestamps of the streams from a port in `from` to a port in `to` (the whole capture). */
export function measureKernel(streams: KernelStream[], from: (port: number) => boolean, to: Set<number>): Spacing {
  const deviations: number[] = [];
  let lost = 0;
  let frames = 0;
  for (const s of streams) {
    if (!from(s.src) || !to.has(s.dst)) continue;
    for (let i = 1; i < s.timesMs.length; i++) deviations.push(Math.abs(s.timesMs[i]! - s.timesMs[i - 1]! - 20));
    frames += s.seqs.length;
    lost += lostIn(s.seqs);
  }
  return spacing(deviations, lost, frames);
}

/**
 * A relay's own share on kernel timestamps: for each stream it sends to far-end port `p`, every
 * interval minus the interval at which the far end's partner port (`partnerOf(p)`) handed it the
 * same two packets.
 */
export function measureKernelRelayed(
  streams: KernelStream[],
  isRelay: (port: number) => boolean,
  partnerOf: Map<number, number>,
): Spacing {
  const deviations: number[] = [];
  let lost = 0;
  let frames = 0;
  const inputs = new Map<number, Map<number, number>>();
  for (const s of streams)
    if (isRelay(s.dst) && partnerOf.has(s.src)) inputs.set(s.src, new Map(s.seqs.map((q, i) => [q, s.timesMs[i]!])));
  for (const s of streams) {
    if (!isRelay(s.src) || !partnerOf.has(s.dst)) continue;
    const sent = inputs.get(partnerOf.get(s.dst)!);
    if (!sent) continue;
    for (let i = 1; i < s.timesMs.length; i++) {
      const a = sent.get(s.seqs[i - 1]!);
      const b = sent.get(s.seqs[i]!);
      if (a === undefined || b === undefined) continue;
      deviations.push(Math.abs(s.timesMs[i]! - s.timesMs[i - 1]! - (b - a)));
    }
    frames += s.seqs.length;
    lost += lostIn(s.seqs);
  }
  return spacing(deviations, lost, frames);
}
