import { parseCallConfig, type CallAgentConfig } from '../agents/call-config';
import { envelopeBytes, canonicalJson } from './webhook-signature';
import { targetsFor, type WebhookTarget } from './webhook-targets';
import { sendSigned, type SendResult } from './signed-sender';
import { DEFAULT_INCOMING_TIMEOUT_MS, type WebhookDeps } from './webhook-deps';

export interface IncomingInput {
  orgId: number;
  callId: number;
  fromNumber: string;
  toNumber: string;
  /** `web` for widget/mic sessions (`web.incoming`); default `telephony`. */
  channel?: 'telephony' | 'web';
}

export type IncomingDecision =
  /** `endpointId`: the endpoint that answered (null for the legacy URL); its secret signs the call's tool requests. */
  | { kind: 'config'; config: CallAgentConfig; source: 'endpoint' | 'legacy'; endpointId: string | null }
  | { kind: 'fallback'; reason: string };

/**
 * Fallback reasons (README "Webhooks"): no_webhook, http_status, timeout, network_error,
 * target_not_allowed, response_too_large, empty_response, invalid_json, null_response,
 * empty_config, invalid_config.
 */
interface TargetAnswer {
  target: WebhookTarget;
  deliveryId: string;
  send: SendResult;
  config: CallAgentConfig | null;
  reason: string | null;
  detail: string | null;
}

/**
 * The blocking `telephony.incoming` / `call.incoming` event (§5.4): every subscribed endpoint and
 * the legacy URL are asked at once, with one 2 s deadline. The first valid configuration in
 * target order (endpoints oldest first, then the legacy URL) wins; otherwise the call falls back
 * to the number's static agent. Every answer is logged as an attempt (GET .../deliveries).
 */
export class IncomingResolver {
  readonly #deps: WebhookDeps;

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  async resolve(input: IncomingInput): Promise<IncomingDecision> {
    const { db, clock, ids, secretBox, log } = this.#deps;
    const type = input.channel === 'web' ? 'web.incoming' : 'telephony.incoming';
    const targets = await targetsFor(db, secretBox, input.orgId, type, clock.nowIso());
    if (targets.length === 0) return { kind: 'fallback', reason: 'no_webhook' };
    const eventId = ids.token('evt_', 12);
    const data = { call_id: input.callId, from_number: input.fromNumber, to_number: input.toNumber };
    const timeoutMs = this.#deps.incomingTimeoutMs ?? DEFAULT_INCOMING_TIMEOUT_MS;
    const answers = await Promise.all(
      targets.map(async (target): Promise<TargetAnswer> => {
        const deliveryId = ids.token('whd_', 12);
        const send = await sendSigned(this.#deps.http, clock, {
          target,
          body: envelopeBytes(target.eventType, data, eventId),
          eventId,
          deliveryId,
          attempt: 1,
          timeoutMs,
          maxResponseBytes: 256 * 1024,
        });
        return { target, deliveryId, send, ...this.#interpret(send) };
      }),
    );
    await this.#record(input.orgId, eventId, type, data, answers).catch((err: unknown) =>
      log.error({ err }, 'could not log incoming webhook outcome'),
    );
    const winner = answers.find((a) => a.config !== null);
    if (winner?.config)
      return {
        kind: 'config',
        config: winner.config,
        source: winner.target.kind,
        endpointId: winner.target.endpointId,
      };
    return { kind: 'fallback', reason: answers[0]?.reason ?? 'no_webhook' };
  }

  #interpret(send: SendResult): { config: CallAgentConfig | null; reason: string | null; detail: string | null } {
    const fallback = (reason: string, detail: string | null = null) => ({ config: null, reason, detail });
    if (send.response === null) return fallback(send.errorCode ?? 'network_error', send.error);
    if (!send.ok) return fallback('http_status', `http_${send.statusCode}`);
    const text = send.response.bodyText.trim();
    if (text === '') return fallback('empty_response');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return fallback('invalid_json');
    }
    if (body === null) return fallback('null_response');
    if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)
      return fallback('empty_config');
    const parsed = parseCallConfig(body, this.#deps.voices, this.#deps.allowPrivateTargets);
    if (!parsed.ok) return fallback('invalid_config', canonicalJson(parsed.fields).slice(0, 500));
    return { config: parsed.config, reason: null, detail: null };
  }

  async #record(
    orgId: number,
    eventId: string,
    type: string,
    data: Record<string, unknown>,
    answers: TargetAnswer[],
  ): Promise<void> {
    const now = this.#deps.clock.nowIso();
    await this.#deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_events')
        .values({ id: eventId, org_id: orgId, type, data: canonicalJson(data), created_at: now })
        .execute();
      for (const a of answers) {
        const ok = a.config !== null;
        await trx
          .insertInto('webhook_deliveries')
          .values({
            id: a.deliveryId,
            event_id: eventId,
            org_id: orgId,
            endpoint_id: a.target.endpointId,
            target: a.target.kind,
            event_type: a.target.eventType,
            status: ok ? 'delivered' : 'failed',
            attempts: 1,
            next_attempt_at: null,
            locked_until: null,
            last_status_code: a.send.statusCode,
            last_error: ok ? null : a.reason,
            delivered_at: ok ? now : null,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await trx
          .insertInto('webhook_attempts')
          .values({
            delivery_id: a.deliveryId,
            event_id: eventId,
            org_id: orgId,
            endpoint_id: a.target.endpointId,
            event_type: a.target.eventType,
            attempt: 1,
            outcome: ok ? 'config' : `fallback:${a.reason ?? 'unknown'}`,
            status_code: a.send.statusCode,
            latency_ms: a.send.latencyMs,
            error: ok ? null : (a.detail ?? a.reason),
            created_at: now,
          })
          .execute();
      }
    });
  }
}
