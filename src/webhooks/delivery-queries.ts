import type { Kysely } from 'kysely';
import type { DB, Row } from '../store/tables';

export interface DeliveryWithAttempts {
  delivery: Row<'webhook_deliveries'>;
  callId: number | null;
  attempts: Row<'webhook_attempts'>[];
}

/** How many events after a call's creation are scanned for the call's webhooks. */
const CALL_EVENT_SCAN = 500;

function callIdOf(data: string): number | null {
  try {
    const v = (JSON.parse(data) as { call_id?: unknown }).call_id;
    return typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : null;
  } catch {
    return null;
  }
}

/**
 * Deliveries of the org (newest first) with every attempt, for the console's delivery log: the
 * status, attempts so far, `next_attempt_at` of a pending retry, and each attempt's status code and
 * latency. Filtered by endpoint and/or by call (events whose data has that `call_id`, looked up
 * among the org's events created from the call's creation on).
 */
export async function listDeliveries(
  db: Kysely<DB>,
  orgId: number,
  filter: { endpointId?: string; call?: { id: number; createdAt: string }; limit: number },
): Promise<DeliveryWithAttempts[]> {
  let eventIds: string[] | undefined;
  const callOf = new Map<string, number | null>();
  if (filter.call) {
    const events = await db
      .selectFrom('webhook_events')
      .select(['id', 'data'])
      .where('org_id', '=', orgId)
      .where('created_at', '>=', filter.call.createdAt)
      .orderBy('created_at')
      .limit(CALL_EVENT_SCAN)
      .execute();
    eventIds = events.filter((e) => callIdOf(e.data) === filter.call?.id).map((e) => e.id);
    for (const id of eventIds) callOf.set(id, filter.call.id);
    if (eventIds.length === 0) return [];
  }
  let q = db.selectFrom('webhook_deliveries').selectAll().where('org_id', '=', orgId);
  if (filter.endpointId !== undefined) q = q.where('endpoint_id', '=', filter.endpointId);
  if (eventIds !== undefined) q = q.where('event_id', 'in', eventIds);
  const deliveries = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  if (deliveries.length === 0) return [];
  const attempts = await db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where(
      'delivery_id',
      'in',
      deliveries.map((d) => d.id),
    )
    .orderBy('id')
    .execute();
  if (eventIds === undefined) {
    const events = await db
      .selectFrom('webhook_events')
      .select(['id', 'data'])
      .where('org_id', '=', orgId)
      .where(
        'id',
        'in',
        deliveries.map((d) => d.event_id),
      )
      .execute();
    for (const e of events) callOf.set(e.id, callIdOf(e.data));
  }
  return deliveries.map((delivery) => ({
    delivery,
    callId: callOf.get(delivery.event_id) ?? null,
    attempts: attempts.filter((a) => a.delivery_id === delivery.id),
  }));
}
