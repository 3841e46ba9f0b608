import type { SipRequest, SipResponse } from './message';
import { tagOf } from './name-addr';
import type { ServerTransaction } from './transaction/server-transaction';

/** RFC 3261 §12: a dialog is identified by its Call-ID, the local tag and the remote tag. */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/** What the user agent core routes to the owner of a dialog (an InviteSession). */
export interface DialogUsage {
  /** A request inside the dialog (its To tag is our tag); answer it on `tx`. */
  onRequest(req: SipRequest, tx: ServerTransaction): void;
  /** An ACK for a 2xx we sent (a non-2xx ACK never leaves its transaction). */
  onAck(ack: SipRequest): void;
  /** A 2xx to our INVITE after its transaction ended: our ACK was lost (RFC 3261 §13.2.2.4). */
  onStraySuccess(res: SipResponse): void;
}

/**
 * The dialogs of one user agent core. Matching uses the Call-ID and our own tag only: we never
 * fork, so our tag tells our dialogs apart, and an early request may still carry no remote tag
 * we have seen. The remote tag is kept in the id for whoever needs the full RFC 3261 identity.
 */
export class DialogRegistry {
  readonly #byCallId = new Map<string, Map<string, DialogUsage>>();

  add(id: DialogId, usage: DialogUsage): void {
    let byTag = this.#byCallId.get(id.callId);
    if (!byTag) this.#byCallId.set(id.callId, (byTag = new Map()));
    byTag.set(id.localTag, usage);
  }

  /** Removes `usage` (only if it is still the one registered under `id`). */
  remove(id: DialogId, usage: DialogUsage): void {
    const byTag = this.#byCallId.get(id.callId);
    if (byTag?.get(id.localTag) !== usage) return;
    byTag.delete(id.localTag);
    if (byTag.size === 0) this.#byCallId.delete(id.callId);
  }

  /** The dialog of an inbound request: our tag is its To tag. */
  forRequest(req: SipRequest): DialogUsage | undefined {
    return this.#find(req.headers.get('Call-ID') ?? '', tagOf(req.headers.get('To')));
  }

  /** The dialog of a response to our request: our tag is its From tag. */
  forResponse(res: SipResponse): DialogUsage | undefined {
    return this.#find(res.headers.get('Call-ID') ?? '', tagOf(res.headers.get('From')));
  }

  get size(): number {
    let n = 0;
    for (const byTag of this.#byCallId.values()) n += byTag.size;
    return n;
  }

  #find(callId: string, localTag: string | undefined): DialogUsage | undefined {
    return localTag === undefined ? undefined : this.#byCallId.get(callId)?.get(localTag);
  }
}
