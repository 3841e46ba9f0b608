import type { Row } from '../store/tables';
import { FieldErrors, fieldsError } from '../shared/errors';
import { isEventType, EVENT_TYPES } from './events';
import { newWebhookSecret, secretHint } from './webhook-secret';
import { webhookUrlProblem } from './webhook-url';
import { endpointNotFound, urlNotAllowed } from './errors';
import { envelopeBytes } from './webhook-signature';
import { endpointSecrets } from './webhook-targets';
import { sendSigned } from './signed-sender';
import type { WebhookDeps } from './webhook-deps';

export type EndpointStatus = 'active' | 'disabled' | 'failing';

export interface EndpointView {
  id: string;
  label: string;
  url: string;
  events: string[];
  status: EndpointStatus;
  secret_hint: string;
  created_at: string;
  updated_at: string;
}

export interface AttemptView {
  id: number;
  delivery_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  outcome: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  created_at: string;
}

export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
export const DEFAULT_GRACE_SECONDS = 24 * 3600;

/** Webhook endpoint management (§3.15) plus test sends, the attempt log and secret rotation. */
export class WebhookEndpointService {
  readonly #deps: WebhookDeps;

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  async list(orgId: number): Promise<EndpointView[]> {
    const rows = await this.#deps.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('deleted_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toView);
  }

  async create(
    orgId: number,
    input: { label: string; url: string; events?: string[] },
  ): Promise<EndpointView & { secret: string }> {
    const events = this.#checkInput({ label: input.label, url: input.url, events: input.events ?? [] });
    const { clock, ids, secretBox, db } = this.#deps;
    const secret = newWebhookSecret(ids);
    const now = clock.nowIso();
    const row = {
      id: ids.uuid(),
      org_id: orgId,
      label: input.label.trim(),
      url: input.url,
      events: JSON.stringify(events ?? []),
      status: 'active',
      secret_enc: secretBox.seal(secret),
      secret_hint: secretHint(secret),
      previous_secret_enc: null,
      previous_secret_expires_at: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    await db.insertInto('webhook_endpoints').values(row).execute();
    return { ...toView(row), secret };
  }

  async update(
    orgId: number,
    id: string,
    patch: { label?: string; url?: string; events?: string[]; status?: string },
  ): Promise<EndpointView> {
    const existing = await this.#get(orgId, id);
    const events = this.#checkInput(patch);
    if (patch.status !== undefined && patch.status !== 'active' && patch.status !== 'disabled')
      throw fieldsError({ status: ['Must be "active" or "disabled".'] });
    const set = {
      ...(patch.label === undefined ? {} : { label: patch.label.trim() }),
      ...(patch.url === undefined ? {} : { url: patch.url }),
      ...(events === undefined ? {} : { events: JSON.stringify(events) }),
      ...(patch.status === undefined ? {} : { status: patch.status }),
      updated_at: this.#deps.clock.nowIso(),
    };
    await this.#deps.db.updateTable('webhook_endpoints').set(set).where('id', '=', existing.id).execute();
    return toView({ ...existing, ...set });
  }

  async remove(orgId: number, id: string): Promise<void> {
    const existing = await this.#get(orgId, id);
    const now = this.#deps.clock.nowIso();
    await this.#deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('webhook_endpoints')
        .set({ deleted_at: now, updated_at: now })
        .where('id', '=', existing.id)
        .execute();
      await trx
        .updateTable('webhook_deliveries')
        .set({ status: 'cancelled', last_error: 'endpoint_deleted', next_attempt_at: null, updated_at: now })
        .where('endpoint_id', '=', existing.id)
        .where('status', '=', 'pending')
        .execute();
    });
  }

  /** New secret now; the old one keeps signing (second header) for `graceSeconds`. */
  async rotateSecret(
    orgId: number,
    id: string,
    graceSeconds = DEFAULT_GRACE_SECONDS,
  ): Promise<EndpointView & { secret: string; previous_secret_expires_at: string | null }> {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS)
      throw fieldsError({ grace_period_seconds: [`Must be an integer from 0 to ${MAX_GRACE_SECONDS}.`] });
    const existing = await this.#get(orgId, id);
    const { clock, ids, secretBox, db } = this.#deps;
    const secret = newWebhookSecret(ids);
    const expires = graceSeconds === 0 ? null : new Date(clock.nowMs() + graceSeconds * 1000).toISOString();
    const set = {
      secret_enc: secretBox.seal(secret),
      secret_hint: secretHint(secret),
      previous_secret_enc: expires === null ? null : existing.secret_enc,
      previous_secret_expires_at: expires,
      updated_at: clock.nowIso(),
    };
    await db.updateTable('webhook_endpoints').set(set).where('id', '=', existing.id).execute();
    return { ...toView({ ...existing, ...set }), secret, previous_secret_expires_at: expires };
  }

  /** Sends a signed `webhook.test` event to this endpoint right now (not retried) and reports it. */
  async sendTest(orgId: number, id: string): Promise<AttemptView & { success: boolean }> {
    const e = await this.#get(orgId, id);
    const { db, clock, ids, secretBox, http } = this.#deps;
    const now = clock.nowIso();
    const eventId = ids.token('evt_', 12);
    const deliveryId = ids.token('whd_', 12);
    const type = 'webhook.test';
    const data = { endpoint_id: e.id, message: 'This is a test delivery from ThunderPhone.' };
    const target = {
      kind: 'endpoint' as const,
      endpointId: e.id,
      url: e.url,
      eventType: type,
      ...endpointSecrets(secretBox, e, now),
    };
    const send = await sendSigned(http, clock, {
      target,
      body: envelopeBytes(type, data, eventId),
      eventId,
      deliveryId,
      attempt: 1,
      timeoutMs: 10_000,
      readBody: false,
    });
    const doneIso = clock.nowIso();
    const attempt = {
      delivery_id: deliveryId,
      event_id: eventId,
      org_id: orgId,
      endpoint_id: e.id,
      event_type: type,
      attempt: 1,
      outcome: send.ok ? 'success' : 'failure',
      status_code: send.statusCode,
      latency_ms: send.latencyMs,
      error: send.error,
      created_at: doneIso,
    };
    const inserted = await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_events')
        .values({ id: eventId, org_id: orgId, type, data: JSON.stringify(data), created_at: now })
        .execute();
      await trx
        .insertInto('webhook_deliveries')
        .values({
          id: deliveryId,
          event_id: eventId,
          org_id: orgId,
          endpoint_id: e.id,
          target: 'endpoint',
          event_type: type,
          status: send.ok ? 'delivered' : 'failed',
          attempts: 1,
          next_attempt_at: null,
          locked_until: null,
          last_status_code: send.statusCode,
          last_error: send.error,
          delivered_at: send.ok ? doneIso : null,
          created_at: now,
          updated_at: doneIso,
        })
        .execute();
      return trx.insertInto('webhook_attempts').values(attempt).returning('id').executeTakeFirstOrThrow();
    });
    return { id: Number(inserted.id), ...pickAttempt(attempt), success: send.ok };
  }

  /** Most recent attempts (newest first), blocking incoming outcomes included. */
  async deliveries(orgId: number, id: string, limit = 50): Promise<AttemptView[]> {
    const e = await this.#get(orgId, id);
    const rows = await this.#deps.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('endpoint_id', '=', e.id)
      .where('org_id', '=', orgId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), ...pickAttempt(r) }));
  }

  async #get(orgId: number, id: string): Promise<Row<'webhook_endpoints'>> {
    const row = await this.#deps.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw endpointNotFound();
    return row;
  }

  /** Validates label/url/events when present; returns the de-duplicated events. */
  #checkInput(input: { label?: string; url?: string; events?: string[] }): string[] | undefined {
    const errors = new FieldErrors();
    if (input.label !== undefined && (input.label.trim().length < 1 || input.label.length > 120))
      errors.add('label', 'Ensure this field has 1 to 120 characters.');
    let events: string[] | undefined;
    if (input.events !== undefined) {
      const unknown = input.events.filter((e) => !isEventType(e));
      if (unknown.length > 0)
        errors.add(
          'events',
          `Unknown event type(s): ${unknown.map((u) => `"${String(u).slice(0, 60)}"`).join(', ')}. Valid: ${EVENT_TYPES.join(', ')}.`,
        );
      events = [...new Set(input.events)];
    }
    errors.throwIfAny();
    if (input.url !== undefined) {
      const problem = webhookUrlProblem(input.url, this.#deps.allowPrivateTargets);
      if (problem !== null) throw urlNotAllowed(problem);
    }
    return events;
  }
}

function toView(
  r: Pick<
    Row<'webhook_endpoints'>,
    'id' | 'label' | 'url' | 'events' | 'status' | 'secret_hint' | 'created_at' | 'updated_at'
  >,
): EndpointView {
  return {
    id: r.id,
    label: r.label,
    url: r.url,
    events: JSON.parse(r.events) as string[],
    status: r.status as EndpointStatus,
    secret_hint: r.secret_hint,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/** An attempt row as the API shows it (endpoint and legacy-URL deliveries alike), without its id. */
export function pickAttempt(r: Omit<AttemptView, 'id'> & Record<string, unknown>): Omit<AttemptView, 'id'> {
  return {
    delivery_id: r.delivery_id,
    event_id: r.event_id,
    event_type: r.event_type,
    attempt: r.attempt,
    outcome: r.outcome,
    status_code: r.status_code,
    latency_ms: r.latency_ms,
    error: r.error,
    created_at: r.created_at,
  };
}
