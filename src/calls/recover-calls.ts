import type { Logger } from '../shared/log';
import type { CallRepo } from './call-repo';
import { finalizeCall, type FinalizeDeps, type FinalizeInput, type FinalizeResult } from './finalize-call';
import { isDeadLocalInstance } from './instance-id';

export interface RecoveryReport {
  recovered: number[];
}

export interface RecoveryOptions {
  /** This process's instance id: the claimant written to owner_instance. */
  instance: string;
  /** A call whose owner has not heartbeated for this long is abandoned (default 3 × heartbeat). */
  staleAfterMs: number;
  /** Owners known to be gone without waiting (default: a dead pid of this host, instance-id.ts). */
  isOwnerGone?: (owner: string) => boolean;
  /** How a claimed call is finalized (the runtime retries while the database is unavailable). */
  finalize?: (input: FinalizeInput) => Promise<FinalizeResult>;
}

/**
 * Recovery of calls abandoned by a process that died (run at start-up and then periodically, by
 * every server sharing the database): a call still `in_progress` whose owner is known gone, or
 * has not heartbeated for `staleAfterMs`, is claimed with a guarded UPDATE (only one recoverer
 * wins), then gets its terminal state — `completed` if it was answered, `failed` otherwise, end
 * reason `error` — billed for the answered time known from its last heartbeat, and its webhook is
 * still sent. Live calls of other servers keep a fresh heartbeat and are left alone.
 */
export async function recoverOrphanedCalls(
  repo: CallRepo,
  finalizeDeps: FinalizeDeps,
  options: RecoveryOptions,
  log: Logger,
): Promise<RecoveryReport> {
  const { instance } = options;
  const isOwnerGone = options.isOwnerGone ?? ((owner: string) => isDeadLocalInstance(owner));
  const staleBeforeIso = new Date(finalizeDeps.clock.nowMs() - options.staleAfterMs).toISOString();
  const deadOwners = new Set((await repo.otherOwners(instance)).filter((o) => isOwnerGone(o)));
  const recovered: number[] = [];
  for (const call of await repo.findOrphans(instance, staleBeforeIso, [...deadOwners])) {
    const owner = call.owner_instance;
    if (owner === null || !(await repo.claimOrphan(call.id, owner, instance, staleBeforeIso, deadOwners.has(owner))))
      continue;
    const lastSeen = call.heartbeat_at ?? call.answered_at ?? undefined;
    const endedAtIso = call.answered_at !== null ? maxIso(lastSeen, call.answered_at) : finalizeDeps.clock.nowIso();
    const input: FinalizeInput = { callId: call.id, endReason: 'error', endedAtIso };
    const res = await (options.finalize ? options.finalize(input) : finalizeCall(finalizeDeps, input));
    if (res.finalized) {
      recovered.push(call.id);
      log.warn({ callId: call.id, previousOwner: owner, status: res.call?.status }, 'recovered call of a dead process');
    }
  }
  return { recovered };
}

function maxIso(a: string | undefined, b: string): string {
  return a !== undefined && a > b ? a : b;
}
