import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { Clock } from '../../shared/clock';
import type { MediaWorkerGc } from './media-worker-protocol';

const RECENT_MS = 5000;

/**
 * Watches this thread's garbage collections (PerformanceObserver 'gc'); the returned function
 * reads the figures: count (and how many were major: mark-compact) and total pause since start, the longest pause of the last 5 s.
 * `clock`'s monotonic time must be this thread's performance.now() (entries are timed on it).
 */
export function watchGc(clock: Clock): () => MediaWorkerGc {
  let count = 0;
  let major = 0;
  let totalMs = 0;
  const recent: Array<{ atMs: number; ms: number }> = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      count++;
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
      totalMs += e.duration;
      recent.push({ atMs: e.startTime, ms: e.duration });
    }
  }).observe({ entryTypes: ['gc'] });
  return () => {
    const since = clock.monotonicMs() - RECENT_MS;
    while (recent.length > 0 && recent[0]!.atMs < since) recent.shift();
    return {
      gcCount: count,
      gcMajorCount: major,
      gcTotalMs: totalMs,
      gcMaxMs: recent.reduce((m, r) => Math.max(m, r.ms), 0),
    };
  };
}
