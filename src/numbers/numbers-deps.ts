import type { Kysely } from 'kysely';
import type { DB } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { SecretBox } from '../shared/secret-box';
import type { TrunkVerifier } from './trunk-verifier-port';

/** What the phone-number and VoIP-connection services need (built from ApiDeps by the routes). */
export interface NumbersDeps {
  db: Kysely<DB>;
  clock: Clock;
  ids: IdGenerator;
  secretBox: SecretBox;
  /** THUNDERPHONE_SECRET_KEY: keys the verification fingerprints. */
  secretKey: Buffer;
  trunkVerifier: TrunkVerifier;
  /** DEMO_NUMBERS pool. */
  demoNumbers: readonly string[];
}

/** A verification (POST /v1/voip-connections/test) may back a create/rotation for this long. */
export const VERIFICATION_EVIDENCE_TTL_MS = 60 * 60_000;
/** A demo number becomes active this long after it was handed out (job, or the next read). */
export const DEMO_ACTIVATION_MS = 1000;
export const NUMBER_ACTIVATE_QUEUE = 'numbers.activate';
