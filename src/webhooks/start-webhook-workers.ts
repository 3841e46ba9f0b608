import type { JobQueue } from '../jobs/job-queue';
import type { Logger } from '../shared/log';
import { isDatabaseUnavailableError } from '../store/database-errors';
import type { WebhookService } from './webhook-service';
import { DELIVER_QUEUE } from './webhook-deps';

export interface WebhookWorkers {
  /** Runs one sweep now (enqueues due retries); resolves with how many were enqueued. */
  sweepNow(): Promise<number>;
  stop(): void;
}

/**
 * Registers the `webhooks.deliver` worker and starts the sweeper that re-enqueues due retries
 * (retries are scheduled on the injected Clock in `next_attempt_at`, not by the queue's backoff).
 * Call after `queue.start()` (pg-boss silently ignores work() before start); the composition
 * root (main.ts) and tests call it. A sweep during a database outage is skipped quietly: deliveries
 * interrupted by it are due again once their lease (60 s) runs out, and the next sweep sends them.
 */
export async function startWebhookWorkers(
  deps: { webhooks: WebhookService; queue: JobQueue; log: Logger },
  options: { sweepIntervalMs?: number; concurrency?: number } = {},
): Promise<WebhookWorkers> {
  const { webhooks, queue, log } = deps;
  await queue.work<{ deliveryId?: unknown }>(
    DELIVER_QUEUE,
    async (job) => {
      if (typeof job.payload.deliveryId !== 'string') return;
      await webhooks.dispatcher.deliver(job.payload.deliveryId);
    },
    { concurrency: options.concurrency ?? 8 },
  );
  let sweeping = false;
  const sweepNow = async (): Promise<number> => {
    if (sweeping) return 0;
    sweeping = true;
    try {
      return await webhooks.dispatcher.sweep();
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => {
    sweepNow().catch((err: unknown) => {
      // A database outage is logged once by the store; the next sweep after it catches up.
      if (isDatabaseUnavailableError(err)) log.debug({ err }, 'webhook sweep skipped: database unavailable');
      else log.error({ err }, 'webhook sweep failed');
    });
  }, options.sweepIntervalMs ?? 5_000);
  timer.unref();
  return { sweepNow, stop: () => clearInterval(timer) };
}
