import type { Logger } from '../shared/log';
import type { CallRepo } from './call-repo';
import { finalizeCall, type FinalizeDeps, type FinalizeInput, type FinalizeResult } from './finalize-call';
import { isDeadLocalInstance } from './instance-id';
import { parseDialogColumn } from './sip-dialog-column';
import type { LegDialogSnapshot, RecoveryByeResult } from '../telephony/call/call-leg-types';

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
  /** Sends the trunk a BYE for a recovered call's persisted dialog (CallAgent.byeFromSnapshot). */
  sendBye?: (snapshot: LegDialogSnapshot) => Promise<RecoveryByeResult>;
}

/**
 * Recovery of calls abandoned by a process that died (run at start-up and then periodically, by
 * every server sharing the database): a call still `in_progress` whose owner is known gone, or
 * has not heartbeated for `staleAfterMs`, is claimed with a guarded UPDATE (only one recoverer
 * wins), then gets its terminal state — `completed` if it was answered, `failed` otherwise, end
 * reason `error` — billed for the answered time known from its last heartbeat, and its webhook is
 * still sent. Live calls of other servers keep a fresh heartbeat and are left alone.
 *
 * The trunk side: an answered call whose dialog was persisted (calls.sip_dialog, written at answer
 * time) first gets a BYE from this process, so the far end hangs up now instead of when its own
 * timers fire. The BYE is sent before the finalization and not waited for (its transaction
 * retransmits on its own; the answer is logged). The duration still ends at the last heartbeat,
 * not at the BYE: after it nobody was serving the call (the agent died with the process), so
 * the org is not billed for dead air; the trunk may bill the carrier leg up to the BYE.
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
    const snapshot = call.answered_at !== null && options.sendBye ? parseDialogColumn(call.sip_dialog) : null;
    if (snapshot && options.sendBye) {
      const callId = call.id;
      options
        .sendBye(snapshot)
        .then((r) => log.info({ callId, ...r }, 'BYE sent to the trunk for a recovered call'))
        .catch((err: unknown) => log.warn({ callId, err }, 'BYE for a recovered call failed'));
    }
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
