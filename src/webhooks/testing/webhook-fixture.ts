import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DialectName } from '../../store/db';
import { FakeClock } from '../../shared/clock';
import { createApiHarness, type ApiHarness, type HarnessOptions } from '../../../test/support/api-harness';
import { WebhookReceiver } from './webhook-receiver';

export interface WebhookFixture {
  h: ApiHarness;
  clock: FakeClock;
  rx: WebhookReceiver;
  /** Cancels every pending delivery, so one test's retries do not leak into the next. */
  quiesce(): Promise<void>;
  close(): Promise<void>;
}

/** An API harness on a FakeClock plus a real loopback receiver. */
export async function openWebhookFixture(dialect: DialectName, options: HarnessOptions = {}): Promise<WebhookFixture> {
  const clock = new FakeClock('2026-03-01T10:00:00.000Z');
  // The queue runs (pg-boss needs a started instance to enqueue) but no delivery worker is
  // registered unless asked: tests drive deliveries through the dispatcher on the fake clock.
  const h = await createApiHarness(dialect, { clock, startQueue: true, ...options });
  const rx = await WebhookReceiver.start();
  return {
    async quiesce() {
      await h.deps.store.db
        .updateTable('webhook_deliveries')
        .set({ status: 'cancelled' })
        .where('status', '=', 'pending')
        .execute();
    },
    h,
    clock,
    rx,
    async close() {
      await rx.close();
      await h.close();
    },
  };
}

/** An independent verifier, as a customer would write it: HMAC-SHA256 over the raw bytes. */
export function verifySignature(secret: string, raw: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('hex'));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
