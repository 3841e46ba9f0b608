import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DB, Row } from '../store/tables';
import { jsonArrayColumn, jsonObjectColumn } from '../store/json-columns';

/** A call as the call endpoints read it: its row plus the public UUID of its campaign (null: not a campaign call). */
export type CallRow = Row<'calls'> & { campaign_public_id: string | null };

/**
 * `rows` with the public UUID of their campaign (users never see internal campaign ids): one
 * lookup for the campaigns among them, and none when no row is a campaign call (most reads),
 * instead of a correlated subquery in every call select.
 */
export async function withCampaignPublicIds<R extends { campaign_id?: number | null }>(
  db: Kysely<DB>,
  rows: R[],
): Promise<(R & { campaign_public_id: string | null })[]> {
  const ids = [
    ...new Set(rows.map((r) => r.campaign_id).filter((id): id is number => id !== null && id !== undefined)),
  ];
  const byId = new Map<number, string>();
  if (ids.length > 0) {
    const found = await db.selectFrom('campaigns').select(['id', 'public_id']).where('id', 'in', ids).execute();
    for (const c of found) byId.set(Number(c.id), c.public_id);
  }
  return rows.map((r) => ({
    ...r,
    campaign_public_id:
      r.campaign_id === null || r.campaign_id === undefined ? null : (byId.get(Number(r.campaign_id)) ?? null),
  }));
}

/** Filters of GET /v1/calls and /v1/calls/export (dates compare against the call's creation). */
export interface CallFilters {
  agent_id?: number;
  direction?: string;
  status?: string;
  from_number?: string;
  to_number?: string;
  /** ISO-8601 instants (inclusive). */
  start_date?: string;
  end_date?: string;
  /** A campaign's public_id: only the calls it placed. */
  campaign_id?: string;
}

type CallQuery = SelectQueryBuilder<DB, 'calls', object>;

function applyFilters<Q extends CallQuery>(q: Q, orgId: number, f: CallFilters): Q {
  let out = q.where('calls.org_id', '=', orgId) as Q;
  if (f.campaign_id !== undefined) {
    const publicId = f.campaign_id;
    out = out.where('calls.campaign_id', 'in', (eb) =>
      eb.selectFrom('campaigns').select('campaigns.id').where('campaigns.public_id', '=', publicId),
    ) as Q;
  }
  if (f.agent_id !== undefined) out = out.where('agent_id', '=', f.agent_id) as Q;
  if (f.direction !== undefined) out = out.where('direction', '=', f.direction) as Q;
  if (f.status !== undefined) out = out.where('status', '=', f.status) as Q;
  if (f.from_number !== undefined) out = out.where('from_number', '=', f.from_number) as Q;
  if (f.to_number !== undefined) out = out.where('to_number', '=', f.to_number) as Q;
  if (f.start_date !== undefined) out = out.where('created_at', '>=', new Date(f.start_date).toISOString()) as Q;
  if (f.end_date !== undefined) out = out.where('created_at', '<=', new Date(f.end_date).toISOString()) as Q;
  return out;
}

/** Newest first, with the total matching count. */
export async function listCalls(
  db: Kysely<DB>,
  orgId: number,
  filters: CallFilters,
  limit: number,
  offset: number,
): Promise<{ rows: CallRow[]; total: number }> {
  const found = await applyFilters(db.selectFrom('calls').selectAll('calls'), orgId, filters)
    .orderBy('calls.created_at', 'desc')
    .orderBy('calls.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  const count = await applyFilters(
    db.selectFrom('calls').select(sql<number>`count(*)`.as('n')),
    orgId,
    filters,
  ).executeTakeFirstOrThrow();
  return { rows: await withCampaignPublicIds(db, found), total: Number(count.n) };
}

export async function getCall(db: Kysely<DB>, orgId: number, callId: number): Promise<CallRow | undefined> {
  const row = await db
    .selectFrom('calls')
    .selectAll()
    .where('id', '=', callId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return row && (await withCampaignPublicIds(db, [row]))[0];
}

/** Transcript turns (thunderphone-api.md §4.4) stored by the call layer in calls.transcript. */
export function transcriptOf(call: CallRow): TranscriptTurn[] {
  return jsonArrayColumn(call.transcript) as TranscriptTurn[];
}

export interface TranscriptTurn {
  role: string;
  content_type?: string;
  content: unknown;
  start_ms?: number;
  end_ms?: number;
}

/**
 * One entry of GET /v1/calls/{id}/history, time-ordered by `at`:
 * - `{kind: "event", at, type, data}`: lifecycle (`call.created`, `call.dialing`,
 *   `call.answered`, `call.ended` from the call row) plus every `call_events` row the call layer
 *   wrote (`call.initiated`, and e.g. `call.ringing`, `dtmf`, `transfer`...).
 * - `{kind: "turn", at, role, content_type, content, start_ms, end_ms}`: transcript turns
 *   (`user`, `assistant`, `tool_call`, `tool_response`: tool round trips included); `at` is the
 *   answer time + start_ms. An assistant turn that answered a caller turn also has `latency`:
 *   that turn's figures in ms, named as in the call object's `latency` (`e2e`, `endpointing`,
 *   `stt`, `llm`, `tts`; null where not measured).
 */
export type HistoryEntry =
  | { kind: 'event'; at: string; type: string; data: Record<string, unknown> }
  | ({ kind: 'turn'; at: string | null; latency?: TurnLatencyFigures } & TranscriptTurn);

/** One answered turn's latency split, in ms. */
export interface TurnLatencyFigures {
  e2e: number | null;
  endpointing: number | null;
  stt: number | null;
  llm: number | null;
  tts: number | null;
}

/** A measured figure, rounded; null when absent. */
const ms = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);

/** The answered turns of `metrics.turns` by the start (session ms) of the answer's audio. */
function latencyByAgentStart(metricsColumn: string | null | undefined): Map<number, TurnLatencyFigures> {
  const m = jsonObjectColumn(metricsColumn ?? '{}');
  const out = new Map<number, TurnLatencyFigures>();
  for (const t of Array.isArray(m.turns) ? (m.turns as unknown[]) : []) {
    if (t === null || typeof t !== 'object') continue;
    const r = t as Record<string, unknown>;
    const start = ms(r.agentStartMs);
    if (start === null) continue;
    out.set(start, {
      e2e: ms(r.totalMs),
      endpointing: ms(r.endpointingMs),
      stt: ms(r.sttMs),
      llm: ms(r.llmFirstTokenMs),
      tts: ms(r.ttsFirstAudioMs),
    });
  }
  return out;
}

export async function callHistory(db: Kysely<DB>, call: CallRow): Promise<HistoryEntry[]> {
  const rows = await db
    .selectFrom('call_events')
    .selectAll()
    .where('call_id', '=', call.id)
    .where('org_id', '=', call.org_id)
    .orderBy('id')
    .execute();
  const entries: { sortMs: number; seq: number; entry: HistoryEntry }[] = [];
  let seq = 0;
  const push = (at: string | null, entry: HistoryEntry) =>
    entries.push({ sortMs: at === null ? Number.MAX_SAFE_INTEGER : Date.parse(at), seq: seq++, entry });
  const event = (at: string | null, type: string, data: Record<string, unknown> = {}) => {
    if (at !== null) push(at, { kind: 'event', at, type, data });
  };
  event(call.created_at, 'call.created', {
    direction: call.direction,
    from_number: call.from_number,
    to_number: call.to_number,
  });
  for (const r of rows) {
    event(r.created_at, r.type, jsonObjectColumn(r.data));
  }
  event(call.dialed_at, call.direction === 'inbound' ? 'call.accepted' : 'call.dialing');
  event(call.answered_at, 'call.answered');
  const base = call.answered_at ?? call.start_time;
  const latency = latencyByAgentStart(call.metrics);
  for (const t of transcriptOf(call)) {
    const at =
      base !== null && typeof t.start_ms === 'number' ? new Date(Date.parse(base) + t.start_ms).toISOString() : null;
    const figures = t.role === 'assistant' && typeof t.start_ms === 'number' ? latency.get(t.start_ms) : undefined;
    push(at, figures ? { kind: 'turn', at, ...t, latency: figures } : { kind: 'turn', at, ...t });
  }
  if (call.status !== 'in_progress')
    event(call.end_time ?? call.updated_at, 'call.ended', {
      status: call.status,
      end_reason: call.end_reason,
      transfer_number: call.transfer_number,
    });
  return entries.sort((a, b) => a.sortMs - b.sortMs || a.seq - b.seq).map((e) => e.entry);
}
