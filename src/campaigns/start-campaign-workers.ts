import type { Store } from '../store/db';
import type { Config } from '../config/config';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/log';
import type { JobQueue } from '../jobs/job-queue';
import { startCampaignDispatcher } from './campaign-dispatcher';

/** Registers the `campaigns.dispatch` worker (main.ts; tests start it the same way). */
export async function startCampaignWorkers(deps: {
  store: Store;
  config: Config;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  queue: JobQueue;
}): Promise<{ stop(): void }> {
  return startCampaignDispatcher({
    db: deps.store.db,
    dialect: deps.store.dialect,
    clock: deps.clock,
    ids: deps.ids,
    queue: deps.queue,
    log: deps.log,
    defaultMaxConcurrent: deps.config.calls.maxConcurrentPerOrg,
    intervalMs: deps.config.campaigns.dispatchIntervalMs,
  });
}
