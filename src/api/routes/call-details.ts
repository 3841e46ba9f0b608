import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { notFound } from '../../shared/errors';
import { getCall } from '../../calls/call-queries';
import { listDeliveries, type DeliveryWithAttempts } from '../../webhooks/delivery-queries';
import { IdParams, Nullable, Timestamp, errorResponses } from '../wire/common';
import { LedgerEntryWire, ledgerToWire } from '../wire/ledger';
import { WebhookAttemptWire } from '../wire/webhooks';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);

const TurnLatencyWire = Type.Object({
  turn: Type.Integer(),
  endpointing_ms: Nullable(Type.Integer()),
  stt_ms: Nullable(Type.Integer()),
  llm_first_token_ms: Nullable(Type.Integer()),
  tts_first_audio_ms: Nullable(Type.Integer()),
  first_audio_ms: Nullable(Type.Integer({ description: 'end-of-turn decision → first agent audio' })),
  total_ms: Nullable(Type.Integer({ description: 'endpointing + first audio' })),
});

const CallMetricsWire = Type.Object({
  call_id: Type.Integer(),
  answer_to_first_audio_ms: Nullable(Type.Integer()),
  caller_frames: Nullable(Type.Integer()),
  agent_frames: Nullable(Type.Integer()),
  turns: Type.Array(TurnLatencyWire),
});

export const WebhookDeliveryWire = Type.Object({
  id: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  call_id: Nullable(Type.Integer()),
  target: Type.String({ description: 'endpoint | legacy' }),
  endpoint_id: Nullable(Type.String()),
  status: Type.String({ description: 'pending | delivered | failed | cancelled' }),
  attempts: Type.Integer(),
  next_attempt_at: Nullable(Timestamp),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  delivered_at: Nullable(Timestamp),
  created_at: Timestamp,
  history: Type.Array(WebhookAttemptWire),
});

export const deliveryToWire = ({ delivery: d, callId, attempts }: DeliveryWithAttempts) => ({
  id: d.id,
  event_id: d.event_id,
  event_type: d.event_type,
  call_id: callId,
  target: d.target,
  endpoint_id: d.endpoint_id,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.status === 'pending' ? d.next_attempt_at : null,
  last_status_code: d.last_status_code,
  last_error: d.last_error,
  delivered_at: d.delivered_at,
  created_at: d.created_at,
  history: attempts.map((a) => ({
    id: Number(a.id),
    delivery_id: a.delivery_id,
    event_id: a.event_id,
    event_type: a.event_type,
    attempt: a.attempt,
    outcome: a.outcome,
    status_code: a.status_code,
    latency_ms: a.latency_ms,
    error: a.error,
    created_at: a.created_at,
  })),
});

/**
 * Read endpoints of the console's call page, next to GET /v1/calls/{id}: the call's ledger
 * entries, its per-turn latency, its webhook deliveries; and the org's delivery log with retries.
 * All tenant-scoped: another org's call is a 404.
 */
export const callDetailRoutes: RouteModule = (deps) => async (app) => {
  const { store } = deps;
  const tags = ['calls'];
  const load = async (orgId: number, id: string) => {
    const call = await getCall(store.db, orgId, Number(id));
    if (!call) throw notFound('Call', 'call_not_found');
    return call;
  };

  app.get(
    '/calls/:id/ledger-entries',
    {
      schema: {
        tags,
        summary: 'Balance changes caused by this call (its charge), oldest first',
        params: IdParams,
        response: { 200: Type.Array(LedgerEntryWire), ...errorResponses },
      },
    },
    async (req) => {
      const call = await load(req.auth.orgId, req.params.id);
      const rows = await store.db
        .selectFrom('ledger_entries')
        .selectAll()
        .where('org_id', '=', req.auth.orgId)
        .where((eb) => eb.or([eb('call_id', '=', call.id), eb('reference', '=', `call:${call.id}`)]))
        .orderBy('id')
        .execute();
      return rows.map(ledgerToWire);
    },
  );

  app.get(
    '/calls/:id/metrics',
    {
      schema: {
        tags,
        summary: 'Per-turn latency (endpointing, STT, LLM first token, TTS first audio) once the call ended',
        params: IdParams,
        response: { 200: CallMetricsWire, ...errorResponses },
      },
    },
    async (req) => {
      const call = await load(req.auth.orgId, req.params.id);
      let m: Record<string, unknown> = {};
      try {
        const v: unknown = JSON.parse(call.metrics);
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) m = v as Record<string, unknown>;
      } catch {
        /* keep {} */
      }
      const turns = Array.isArray(m.turns) ? (m.turns as Record<string, unknown>[]) : [];
      return {
        call_id: Number(call.id),
        answer_to_first_audio_ms: num(m.answer_to_first_audio_ms),
        caller_frames: num(m.caller_frames),
        agent_frames: num(m.agent_frames),
        turns: turns
          .filter((t) => t !== null && typeof t === 'object')
          .map((t, i) => ({
            turn: num(t.turn) ?? i + 1,
            endpointing_ms: num(t.endpointingMs),
            stt_ms: num(t.sttMs),
            llm_first_token_ms: num(t.llmFirstTokenMs),
            tts_first_audio_ms: num(t.ttsFirstAudioMs),
            first_audio_ms: num(t.firstAudioMs),
            total_ms: num(t.totalMs),
          })),
      };
    },
  );

  app.get(
    '/calls/:id/webhook-deliveries',
    {
      schema: {
        tags,
        summary: "Webhook deliveries of this call's events, with every attempt",
        params: IdParams,
        response: { 200: Type.Array(WebhookDeliveryWire), ...errorResponses },
      },
    },
    async (req) => {
      const call = await load(req.auth.orgId, req.params.id);
      const rows = await listDeliveries(store.db, req.auth.orgId, {
        call: { id: Number(call.id), createdAt: call.created_at },
        limit: 100,
      });
      return rows.map(deliveryToWire);
    },
  );

  app.get(
    '/developer/webhook-deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Delivery log (newest first): status, attempts, next retry, and each attempt',
        querystring: Type.Object({
          endpoint_id: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: Type.Array(WebhookDeliveryWire), ...errorResponses },
      },
    },
    async (req) => {
      const rows = await listDeliveries(store.db, req.auth.orgId, {
        ...(req.query.endpoint_id !== undefined ? { endpointId: req.query.endpoint_id } : {}),
        limit: req.query.limit ?? 50,
      });
      return rows.map(deliveryToWire);
    },
  );
};
