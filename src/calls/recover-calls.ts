import type { Logger } from '../shared/log';
import type { CallRepo } from './call-repo';
import { finalizeCall, type FinalizeDeps } from './finalize-call';

export interface RecoveryReport {
  recovered: number[];
}

/**
 * Start-up recovery: every call still `in_progress` that another (dead) process had taken gets
 * its terminal state — `completed` if it was answered, `failed` otherwise, end reason `error` —
 * billed for the answered time known from its last heartbeat, and its webhook is still sent.
 * Run before the job queue starts, with this process's fresh instance id.
 */
export async function recoverOrphanedCalls(
  repo: CallRepo,
  finalizeDeps: FinalizeDeps,
  instance: string,
  log: Logger,
): Promise<RecoveryReport> {
  const recovered: number[] = [];
  for (const call of await repo.findOrphans(instance)) {
    const lastSeen = call.heartbeat_at ?? call.answered_at ?? undefined;
    const endedAtIso = call.answered_at !== null ? maxIso(lastSeen, call.answered_at) : finalizeDeps.clock.nowIso();
    const res = await finalizeCall(finalizeDeps, { callId: call.id, endReason: 'error', endedAtIso });
    if (res.finalized) {
      recovered.push(call.id);
      log.warn('recovered call of a dead process', { callId: call.id, previousOwner: call.owner_instance, status: res.call?.status });
    }
  }
  return { recovered };
}

function maxIso(a: string | undefined, b: string): string {
  return a !== undefined && a > b ? a : b;
}
