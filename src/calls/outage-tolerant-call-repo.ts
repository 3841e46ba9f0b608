import type { Kysely } from 'kysely';
import type { DB, RowUpdate } from '../store/tables';
import type { DialectName } from '../store/db';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { isDatabaseUnavailableError } from '../store/database-errors';
import { CallRepo } from './call-repo';
import type { CallTransition } from './call-state';
import type { RetryingFinalizer } from './finalize-with-retry';

/**
 * The CallRepo a live call's controller uses: its phase writes never stop the call while the
 * database is unavailable. `ringing` and `end` are informational (the finalizer writes the terminal
 * phase itself) and are skipped; `answered` carries the answer time the bill depends on, so it is
 * retried in the background with the time of the real answer, and the call's finalization waits
 * for it (RetryingFinalizer.defer). Any other error still throws.
 */
export class OutageTolerantCallRepo extends CallRepo {
  readonly #finalizer: RetryingFinalizer;
  readonly #log: Logger;

  constructor(
    db: Kysely<DB>,
    dialect: DialectName,
    clock: Clock,
    options: { finalizer: RetryingFinalizer; log: Logger },
  ) {
    super(db, dialect, clock);
    this.#finalizer = options.finalizer;
    this.#log = options.log;
  }

  override async transition(
    callId: number,
    transition: CallTransition,
    extra: RowUpdate<'calls'> = {},
  ): Promise<boolean> {
    try {
      return await super.transition(callId, transition, extra);
    } catch (err) {
      if (!isDatabaseUnavailableError(err)) throw err;
      if (transition === 'answered') {
        this.#finalizer.defer(callId, () => super.transition(callId, transition, extra));
        return true;
      }
      this.#log.debug({ callId, transition }, 'call phase not written: database unavailable');
      return false;
    }
  }
}
