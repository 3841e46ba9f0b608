import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/tables';
import { targetsFor } from './webhook-targets';
import { canonicalJson } from './webhook-signature';
import { DELIVER_QUEUE, type WebhookDeps } from './webhook-deps';

export interface WebhookEventInput {
  orgId: number;
  type: string;
  data: Record<string, unknown>;
}

/**
 * The durable outbox. Inside the caller's transaction: one `webhook_events` row, one
 * `webhook_deliveries` row per target (matching endpoints + the legacy URL, each once) and one
 * delivery job per row. If the transaction rolls back, nothing is sent; once it commits, the
 * event is delivered even if this process dies right after (the next process picks it up).
 */
export class WebhookOutbox {
  readonly #deps: WebhookDeps;

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  async emit(
    trx: Kysely<DB> | Transaction<DB>,
    event: WebhookEventInput,
  ): Promise<{ eventId: string; deliveryIds: string[] }> {
    const { clock, ids, secretBox, queue } = this.#deps;
    const now = clock.nowIso();
    const eventId = ids.token('evt_', 12);
    await trx
      .insertInto('webhook_events')
      .values({ id: eventId, org_id: event.orgId, type: event.type, data: canonicalJson(event.data), created_at: now })
      .execute();
    const targets = await targetsFor(trx, secretBox, event.orgId, event.type, now);
    const deliveryIds: string[] = [];
    for (const target of targets) {
      const id = ids.token('whd_', 12);
      await trx
        .insertInto('webhook_deliveries')
        .values({
          id,
          event_id: eventId,
          org_id: event.orgId,
          endpoint_id: target.endpointId,
          target: target.kind,
          event_type: target.eventType,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          locked_until: null,
          last_status_code: null,
          last_error: null,
          delivered_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await queue.enqueue(DELIVER_QUEUE, { deliveryId: id }, { trx, singletonKey: `whd:${id}`, maxAttempts: 3 });
      deliveryIds.push(id);
    }
    return { eventId, deliveryIds };
  }
}
