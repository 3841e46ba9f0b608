import type { Row } from '../store/tables';
import { envelopeBytes } from './webhook-signature';
import { endpointSecrets, legacyTarget, type WebhookTarget } from './webhook-targets';
import { sendSigned } from './signed-sender';
import { nextRetry } from './retry-policy';
import { DEFAULT_DELIVERY_TIMEOUT_MS, DELIVER_QUEUE, DELIVERY_LEASE_MS, type WebhookDeps } from './webhook-deps';

export type DeliverOutcome = 'delivered' | 'retry_scheduled' | 'failed' | 'cancelled' | 'skipped';

/**
 * Sends pending deliveries. A delivery is claimed with a lease (so a job and the sweeper, or two
 * processes, never send it at the same time), sent, logged in `webhook_attempts`, then marked
 * delivered, rescheduled (retry-policy.ts, on the injected clock) or given up after 24 h, which
 * turns its endpoint `failing`. A success turns a failing endpoint `active` again.
 */
export class DeliveryDispatcher {
  readonly #deps: WebhookDeps;

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  async deliver(deliveryId: string): Promise<DeliverOutcome> {
    const { db, clock } = this.#deps;
    const nowIso = clock.nowIso();
    const claimed = await db
      .updateTable('webhook_deliveries')
      .set({ locked_until: new Date(clock.nowMs() + DELIVERY_LEASE_MS).toISOString(), updated_at: nowIso })
      .where('id', '=', deliveryId)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', nowIso)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', nowIso)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return 'skipped';
    const delivery = await db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', deliveryId)
      .executeTakeFirstOrThrow();
    const event = await db
      .selectFrom('webhook_events')
      .selectAll()
      .where('id', '=', delivery.event_id)
      .executeTakeFirstOrThrow();
    const target = await this.#currentTarget(delivery);
    if (!target) {
      await this.#finish(delivery, { status: 'cancelled', last_error: 'target_removed' });
      return 'cancelled';
    }
    const attempt = delivery.attempts + 1;
    const sentMs = clock.monotonicMs();
    const result = await sendSigned(this.#deps.http, clock, {
      target,
      body: envelopeBytes(delivery.event_type, JSON.parse(event.data), event.id),
      eventId: event.id,
      deliveryId: delivery.id,
      attempt,
      timeoutMs: this.#deps.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
      readBody: false,
    });
    const tookMs = clock.monotonicMs() - sentMs;
    const afterMs = clock.nowMs();
    const afterIso = new Date(afterMs).toISOString();
    const outcome = await db.transaction().execute(async (trx): Promise<DeliverOutcome> => {
      await trx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: delivery.id,
          event_id: event.id,
          org_id: delivery.org_id,
          endpoint_id: delivery.endpoint_id,
          event_type: delivery.event_type,
          attempt,
          outcome: result.ok ? 'success' : 'failure',
          status_code: result.statusCode,
          latency_ms: result.latencyMs,
          error: result.error,
          created_at: afterIso,
        })
        .execute();
      const common = {
        attempts: attempt,
        last_status_code: result.statusCode,
        last_error: result.error,
        locked_until: null,
        updated_at: afterIso,
      };
      if (result.ok) {
        await trx
          .updateTable('webhook_deliveries')
          .set({ ...common, status: 'delivered', delivered_at: afterIso, next_attempt_at: null })
          .where('id', '=', delivery.id)
          .execute();
        if (delivery.endpoint_id !== null)
          await trx
            .updateTable('webhook_endpoints')
            .set({ status: 'active', updated_at: afterIso })
            .where('id', '=', delivery.endpoint_id)
            .where('status', '=', 'failing')
            .execute();
        return 'delivered';
      }
      const decision = nextRetry(Date.parse(delivery.created_at), afterMs, attempt, this.#deps.ids.random());
      if (decision.kind === 'retry') {
        await trx
          .updateTable('webhook_deliveries')
          .set({ ...common, next_attempt_at: new Date(decision.atMs).toISOString() })
          .where('id', '=', delivery.id)
          .execute();
        return 'retry_scheduled';
      }
      await trx
        .updateTable('webhook_deliveries')
        .set({ ...common, status: 'failed', next_attempt_at: null })
        .where('id', '=', delivery.id)
        .execute();
      if (delivery.endpoint_id !== null)
        await trx
          .updateTable('webhook_endpoints')
          .set({ status: 'failing', updated_at: afterIso })
          .where('id', '=', delivery.endpoint_id)
          .where('status', '=', 'active')
          .execute();
      this.#deps.log.warn(
        {
          deliveryId: delivery.id,
          endpointId: delivery.endpoint_id,
          orgId: delivery.org_id,
        },
        'webhook delivery given up after 24 h',
      );
      return 'failed';
    });
    this.#deps.metrics?.webhookAttempt(outcome, tookMs);
    return outcome;
  }

  /** Ids of pending deliveries that are due now and not leased. */
  async dueIds(limit = 100): Promise<string[]> {
    const nowIso = this.#deps.clock.nowIso();
    const rows = await this.#deps.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', nowIso)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', nowIso)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Sweeper: enqueues a delivery job for each due delivery (retries, and any job lost). */
  async sweep(): Promise<number> {
    let n = 0;
    for (const id of await this.dueIds()) {
      if (
        (await this.#deps.queue.enqueue(
          DELIVER_QUEUE,
          { deliveryId: id },
          { singletonKey: `whd:${id}`, maxAttempts: 3 },
        )) !== null
      )
        n += 1;
    }
    return n;
  }

  /** Sends every due delivery now, in this call (tests, and operators draining by hand). */
  async deliverDue(): Promise<DeliverOutcome[]> {
    const out: DeliverOutcome[] = [];
    for (const id of await this.dueIds()) out.push(await this.deliver(id));
    return out;
  }

  async #currentTarget(delivery: Row<'webhook_deliveries'>): Promise<WebhookTarget | undefined> {
    const { db, secretBox, clock } = this.#deps;
    if (delivery.target === 'legacy') {
      const legacy = await legacyTarget(db, secretBox, delivery.org_id, delivery.event_type);
      return legacy === undefined ? undefined : { ...legacy, eventType: delivery.event_type };
    }
    if (delivery.endpoint_id === null) return undefined;
    const e = await db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', delivery.endpoint_id)
      .executeTakeFirst();
    if (!e || e.deleted_at !== null || e.status === 'disabled') return undefined;
    return {
      kind: 'endpoint',
      endpointId: e.id,
      url: e.url,
      eventType: delivery.event_type,
      ...endpointSecrets(secretBox, e, clock.nowIso()),
    };
  }

  async #finish(delivery: Row<'webhook_deliveries'>, set: { status: string; last_error: string }): Promise<void> {
    const now = this.#deps.clock.nowIso();
    await this.#deps.db
      .updateTable('webhook_deliveries')
      .set({ ...set, locked_until: null, next_attempt_at: null, updated_at: now })
      .where('id', '=', delivery.id)
      .execute();
  }
}
