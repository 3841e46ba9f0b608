/**
 * Raises this process's helper threads (V8's platform threads, which run garbage-collection
 * work for every isolate, media workers included; libuv's pool) when the media workers are
 * raised. A worker at SCHED_FIFO or nice −10 whose GC waits on a helper thread at normal
 * priority waits as long as the machine's other load keeps that helper off the CPU: a priority
 * inversion, measured as 60–120 ms scavenges in a worker on a loaded 2-core machine (a few ms
 * once the helpers are raised). Helpers go just below the workers, so a worker always preempts
 * them. Threads created later (workers, libuv threads started afterwards) keep the normal priority.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** How the helpers are raised: SCHED_FIFO at `realtimePriority`, else nice `nice`. */
export interface HelperPriority {
  realtimePriority?: number | undefined;
  nice?: number | undefined;
}

/** Raises every thread of the process but the calling one; returns how many were raised (0 when not permitted). */
export function raiseHelperThreads(p: HelperPriority): number {
  let self: string;
  let tids: string[];
  try {
    self = readlinkSync('/proc/thread-self').split('/').at(-1)!;
    tids = readdirSync('/proc/self/task').filter((t) => t !== self);
  } catch {
    return 0; // not Linux
  }
  if (tids.length === 0) return 0;
  if (p.realtimePriority !== undefined) {
    const ok = tids.filter(
      (tid) => spawnSync('chrt', ['-f', '-p', String(p.realtimePriority), tid], { stdio: 'ignore' }).status === 0,
    );
    if (ok.length > 0) return ok.length;
  }
  if (p.nice === undefined) return 0;
  let raised = 0;
  for (const tid of tids) {
    try {
      setPriority(Number(tid), p.nice);
      raised++;
    } catch {
      // not permitted (not root / no CAP_SYS_NICE)
    }
  }
  return raised;
}
