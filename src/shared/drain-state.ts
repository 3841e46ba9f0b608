import { TypedEmitter } from './typed-emitter';

/** Seconds a SIP peer is told to wait (`Retry-After`) when a draining server refuses an INVITE. */
export const DRAIN_RETRY_AFTER_S = 30;

/**
 * Whether this process is draining (SIGTERM: finish live work, take no new work). One instance per
 * process, built by the composition root and injected: the call runtime refuses inbound INVITEs
 * (503 + Retry-After) and stops taking dial jobs, GET /v1/healthz says `draining`, and any other
 * dispatcher (campaigns, ...) checks `draining` before it starts something new and leaves it to
 * the other servers.
 */
export class DrainState {
  readonly events = new TypedEmitter<{ draining: (sinceIso: string) => void }>();
  #sinceIso: string | null = null;
  #deadlineIso: string | null = null;

  get draining(): boolean {
    return this.#sinceIso !== null;
  }

  /** When draining started (null while not draining). */
  get sinceIso(): string | null {
    return this.#sinceIso;
  }

  /** When calls still live are ended (null while not draining). */
  get deadlineIso(): string | null {
    return this.#deadlineIso;
  }

  /** Starts draining; false (and nothing happens) when it already was. */
  begin(nowIso: string, deadlineIso: string): boolean {
    if (this.#sinceIso !== null) return false;
    this.#sinceIso = nowIso;
    this.#deadlineIso = deadlineIso;
    this.events.emit('draining', nowIso);
    return true;
  }
}
