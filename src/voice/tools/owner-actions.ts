import type { AgentAction } from '../session-events';

export type ActionResult = { ok: boolean; error?: string };

/**
 * Requests the owner carries out (transfer, DTMF): each is emitted once with a `resolve` the owner
 * must call; when the session ends first, every pending request resolves as failed.
 */
export class OwnerActions {
  readonly #pending = new Set<(r: ActionResult) => void>();
  #closed = false;

  constructor(readonly emit: (action: AgentAction) => void) {}

  request(make: (resolve: (r: ActionResult) => void) => AgentAction): Promise<ActionResult> {
    return new Promise((resolve) => {
      let settled = false;
      const once = (r: ActionResult): void => {
        if (settled) return;
        settled = true;
        this.#pending.delete(once);
        resolve(r);
      };
      if (this.#closed) return once({ ok: false, error: 'The call has ended.' });
      this.#pending.add(once);
      this.emit(make(once));
    });
  }

  close(): void {
    this.#closed = true;
    for (const p of [...this.#pending]) p({ ok: false, error: 'The call has ended.' });
  }
}
