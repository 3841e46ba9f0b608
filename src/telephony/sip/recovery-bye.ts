import { Dialog } from './dialog';
import type { InviteSessionSnapshot } from './invite-session';
import type { UserAgentServices } from './user-agent-services';

/**
 * CSeq headroom for a BYE sent from a snapshot: in-dialog requests we sent after the snapshot was
 * taken (REFER, INFO) used higher numbers, and the far end refuses a BYE whose CSeq is not above
 * them (RFC 3261 §12.2.2). Gaps are allowed; only order matters.
 */
export const RECOVERY_CSEQ_HEADROOM = 100;

export type RecoveryByeResult = { status: number } | { timeout: true };

/**
 * Ends a dialog this process no longer has in memory (the one that held it crashed): a BYE built
 * from its snapshot, through a client transaction of ours (retransmitted over UDP until a final
 * response or Timer F). Resolves with the final status, or `timeout`.
 */
export function sendRecoveryBye(core: UserAgentServices, snapshot: InviteSessionSnapshot): Promise<RecoveryByeResult> {
  const dialog = Dialog.fromState({
    ...snapshot.dialog,
    localSeq: snapshot.dialog.localSeq + RECOVERY_CSEQ_HEADROOM,
  });
  return new Promise((resolve) => {
    core.sendRequest(dialog.createRequest('BYE'), snapshot.destination, {
      onResponse: (res) => {
        if (res.status >= 200) resolve({ status: res.status });
      },
      onTimeout: () => resolve({ timeout: true }),
    });
  });
}
