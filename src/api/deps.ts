import type { Config } from '../config/config';
import type { Store } from '../store/db';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/log';
import type { JobQueue } from '../jobs/job-queue';
import type { SecretBox } from '../shared/secret-box';

/**
 * Everything the HTTP layer may use, built once in main.ts (or the test harness) and passed
 * to buildServer. Domain services are added here as the domains grow.
 */
export interface ApiDeps {
  config: Config;
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  queue: JobQueue;
  secretBox: SecretBox;
}
