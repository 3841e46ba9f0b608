import { createHash } from 'node:crypto';
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DialectName } from '../store/db';
import type { CallsTable, DB, Row } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { JobQueue } from '../jobs/job-queue';
import type { VoiceCatalog } from '../voice/tts/voice-catalog';
import type { PrivateTargetPolicy } from '../net/address-policy';
import { AppError } from '../shared/errors';
import { isUniqueViolation } from '../store/unique-violation';
import { parseCallConfig, type CallAgentConfig } from '../agents/call-config';
import { agentCallConfig, agentFromRow, type AgentRecord } from '../agents/agent-service';
import { fillPromptVariables, type PromptVariables } from '../agents/prompt-variables';
import { MAX_HOLD_SECONDS } from '../agents/agent-input';
import { isOutboundEligible } from '../numbers/phone-number-service';
import { DIAL_QUEUE } from './call-runtime';

/**
 * POST /v1/call. Checks, in this order (the first failing one answers):
 *   400 body: "from_number and to_number are required", E.164 field messages, "Provide either
 *       agent_id or config, not both", unknown fields, invalid config / variables /
 *       max_hold_seconds / idempotency_key
 *   idempotency: same key + same body within 24 h → the same call_id (`idempotent_replay: true`);
 *       same key + another body → 409 `idempotency_key_reused`
 *   404 "from_number is not registered to this organization"
 *   404 "Agent not found" (unknown, deleted or another org's agent) / 400 `outbound_agent_missing`
 *   403 demo number / unverified VoIP number / trial org (the detail says which)
 *   402 "Insufficient balance" (balance ≤ 0)
 * Then ONE transaction: the calls row (`status: in_progress`, phase null = queued) and the
 * `calls.dial` job `{ callId }`. Dialing and per-org concurrency are the call runtime's.
 *
 * `calls.config` (JSON) — what the call layer runs (calls/conversation-config.ts reads it):
 *   { source: "agent" | "inline" | "number_outbound_agent", agent_id: number | null,
 *     name: string | null, prompt: string (variables filled), voice, product, thinking_level,
 *     background_track, acknowledgement_prompt_mode, acknowledgement_prompt, tools: InlineTool[],
 *     speak_order: "agent_first" | "caller_first" (the agent's outbound_speak_order; inline:
 *     agent_first), max_hold_seconds: number | null (request override, else the agent's),
 *     primary_language: string | null }
 * `calls.variables` holds the request's variables, `calls.max_hold_seconds` the effective value.
 */
export interface PlaceCallDeps {
  db: Kysely<DB>;
  dialect: DialectName;
  clock: Clock;
  queue: JobQueue;
  voices: VoiceCatalog;
  /** ALLOW_PRIVATE_TARGETS: which inline tool endpoint addresses may be saved. */
  targets: PrivateTargetPolicy;
}

export interface PlacedCall {
  call_id: number;
  status: 'initiated';
  idempotent_replay?: true;
}

const E164 = /^\+[1-9][0-9]{7,14}$/;
const KEYS = ['from_number', 'to_number', 'agent_id', 'config', 'max_hold_seconds', 'variables', 'idempotency_key'];
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;
const MAX_VARIABLES = 100;
const MAX_VARIABLE_CHARS = 2000;

const bad = (detail: string, code: string) => new AppError('invalid', code, detail);
const fieldsError = (fields: Record<string, string[]>) =>
  new AppError('invalid', 'validation_error', 'Invalid request', { fields });

interface ParsedRequest {
  from: string;
  to: string;
  agentId: number | undefined;
  inline: CallAgentConfig | undefined;
  maxHold: number | null | undefined;
  variables: PromptVariables;
  idempotencyKey: string | undefined;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** Validation only (no database): the 400s of the endpoint. */
export function parsePlaceCallRequest(
  body: unknown,
  voices: VoiceCatalog,
  targets: PrivateTargetPolicy,
): ParsedRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad('from_number and to_number are required', 'missing_numbers');
  const b = body as Record<string, unknown>;
  if (
    b.from_number === undefined ||
    b.from_number === null ||
    b.from_number === '' ||
    b.to_number === undefined ||
    b.to_number === null ||
    b.to_number === ''
  )
    throw bad('from_number and to_number are required', 'missing_numbers');
  const fields: Record<string, string[]> = {};
  const add = (f: string, m: string) => (fields[f] ??= []).push(m);
  for (const f of ['from_number', 'to_number'] as const)
    if (typeof b[f] !== 'string' || !E164.test(b[f])) add(f, 'Enter a valid E.164 phone number, e.g. +15551234567.');
  if (Object.keys(fields).length > 0) throw fieldsError(fields);
  const hasAgent = b.agent_id !== undefined && b.agent_id !== null;
  const hasConfig = b.config !== undefined && b.config !== null;
  if (hasAgent && hasConfig) throw bad('Provide either agent_id or config, not both', 'agent_and_config');
  for (const k of Object.keys(b)) if (!KEYS.includes(k)) add(k, 'Unknown field.');

  let agentId: number | undefined;
  if (hasAgent) {
    const raw = typeof b.agent_id === 'string' && /^[0-9]{1,15}$/.test(b.agent_id) ? Number(b.agent_id) : b.agent_id;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) add('agent_id', 'A valid integer is required.');
    else agentId = raw;
  }
  let inline: CallAgentConfig | undefined;
  if (hasConfig) {
    const parsed = parseCallConfig(b.config, voices, targets);
    if (parsed.ok) inline = parsed.config;
    else
      for (const [f, msgs] of Object.entries(parsed.fields))
        for (const m of msgs) add(f === 'non_field_errors' ? 'config' : `config.${f}`, m);
  }
  let maxHold: number | null | undefined;
  if (b.max_hold_seconds !== undefined) {
    const v = b.max_hold_seconds;
    if (v === null) maxHold = null;
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_HOLD_SECONDS)
      add('max_hold_seconds', `Must be an integer between 0 and ${MAX_HOLD_SECONDS}.`);
    else maxHold = v;
  }
  const variables: PromptVariables = {};
  if (b.variables !== undefined && b.variables !== null) {
    if (typeof b.variables !== 'object' || Array.isArray(b.variables))
      add('variables', 'Expected an object of string or number values.');
    else {
      const entries = Object.entries(b.variables as Record<string, unknown>);
      if (entries.length > MAX_VARIABLES) add('variables', `At most ${MAX_VARIABLES} variables.`);
      for (const [k, v] of entries) {
        if (typeof v === 'string' && v.length <= MAX_VARIABLE_CHARS) variables[k] = v;
        else if (typeof v === 'number' && Number.isFinite(v)) variables[k] = v;
        else add(`variables.${k}`, `Must be a string (at most ${MAX_VARIABLE_CHARS} characters) or a number.`);
      }
    }
  }
  let idempotencyKey: string | undefined;
  if (b.idempotency_key !== undefined && b.idempotency_key !== null) {
    if (typeof b.idempotency_key !== 'string' || b.idempotency_key === '' || b.idempotency_key.length > 128)
      add('idempotency_key', 'Must be a non-empty string of at most 128 characters.');
    else idempotencyKey = b.idempotency_key;
  }
  if (Object.keys(fields).length > 0) throw fieldsError(fields);
  return {
    from: b.from_number as string,
    to: b.to_number as string,
    agentId,
    inline,
    maxHold,
    variables,
    idempotencyKey,
  };
}

function resolvedConfig(
  source: string,
  agent: AgentRecord | undefined,
  cfg: CallAgentConfig,
  req: ParsedRequest,
): Record<string, unknown> {
  return {
    source,
    agent_id: agent?.id ?? null,
    name: agent?.name ?? null,
    ...cfg,
    prompt: fillPromptVariables(cfg.prompt, req.variables),
    speak_order: agent?.outbound_speak_order ?? 'agent_first',
    max_hold_seconds: req.maxHold !== undefined ? req.maxHold : (agent?.max_hold_seconds ?? null),
    primary_language: agent?.primary_language ?? null,
  };
}

/**
 * Everything the checks need, read in ONE round trip: the org (trial, balance), the active
 * from_number of the org, the prior call with the same idempotency key (when one is given) and
 * the agent (agent_id, else the number's outbound agent; the org's and not deleted). Every join
 * is scoped to the org, so another tenant's number, call or agent is never found. (With an
 * inline config the joined agent is simply not used.)
 */
async function loadChecks(db: Kysely<DB>, orgId: number, req: ParsedRequest) {
  const key = req.idempotencyKey;
  return db
    .selectFrom('orgs as o')
    .leftJoin('phone_numbers as pn', (j) =>
      j.onRef('pn.org_id', '=', 'o.id').on('pn.number', '=', req.from).on('pn.released_at', 'is', null),
    )
    .leftJoin('agents as a', (j) =>
      j
        .onRef('a.org_id', '=', 'o.id')
        .on('a.deleted_at', 'is', null)
        .on((eb) =>
          req.agentId !== undefined ? eb('a.id', '=', req.agentId) : eb('a.id', '=', eb.ref('pn.outbound_agent_id')),
        ),
    )
    .selectAll('a')
    .select([
      'o.trial as org_trial',
      'o.balance_cents as org_balance_cents',
      'pn.id as number_id',
      'pn.source as number_source',
      'pn.status as number_status',
      'pn.voip_verification_status as number_verification_status',
      'pn.outbound_agent_id as number_outbound_agent_id',
    ])
    .$if(key !== undefined, (qb) =>
      qb
        .leftJoin('calls as prior', (j) =>
          j.onRef('prior.org_id', '=', 'o.id').on('prior.idempotency_key', '=', key ?? ''),
        )
        .select([
          'prior.id as prior_id',
          'prior.idempotency_hash as prior_hash',
          'prior.created_at as prior_created_at',
        ]),
    )
    .where('o.id', '=', orgId)
    .executeTakeFirstOrThrow();
}

type Prior = { id: number; idempotency_hash: string | null; created_at: string };

/** The idempotency decision for a prior call with the same key: replay, 409, or (expired) the key is freed. */
async function decideOnPrior(
  d: PlaceCallDeps,
  key: string,
  hash: string,
  prior: Prior,
): Promise<PlacedCall | undefined> {
  if (Date.parse(prior.created_at) + IDEMPOTENCY_WINDOW_MS <= d.clock.nowMs()) {
    // Older than 24 h: the key is free again.
    await d.db
      .updateTable('calls')
      .set({ idempotency_key: null })
      .where('id', '=', prior.id)
      .where('idempotency_key', '=', key)
      .execute();
    return undefined;
  }
  if (prior.idempotency_hash !== hash)
    throw new AppError(
      'conflict',
      'idempotency_key_reused',
      `idempotency_key "${key}" was already used (call ${prior.id}) with a different request body; use a new key for a different call.`,
      {
        details: { call_id: Number(prior.id) },
      },
    );
  return { call_id: Number(prior.id), status: 'initiated', idempotent_replay: true };
}

/** After a unique violation on the key: the concurrent winner's call decides (replay or 409). */
async function replayOrConflict(
  d: PlaceCallDeps,
  orgId: number,
  key: string,
  hash: string,
): Promise<PlacedCall | undefined> {
  const prior = await d.db
    .selectFrom('calls')
    .select(['id', 'idempotency_hash', 'created_at'])
    .where('org_id', '=', orgId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return prior ? decideOnPrior(d, key, hash, { ...prior, id: Number(prior.id) }) : undefined;
}

/**
 * Inserts the calls row and its first call_events row; returns the call id. PostgreSQL: ONE
 * statement (a data-modifying CTE), SQLite: two (in-process, no round trips to save).
 */
async function insertCallWithEvent(
  trx: Transaction<DB>,
  dialect: DialectName,
  call: Insertable<CallsTable>,
  event: { type: string; data: string },
): Promise<number> {
  if (dialect === 'postgres') {
    const row = await trx
      .with('c', (q) => q.insertInto('calls').values(call).returning(['id', 'org_id', 'created_at']))
      .insertInto('call_events')
      .columns(['call_id', 'org_id', 'type', 'data', 'created_at'])
      .expression((eb) =>
        eb
          .selectFrom('c')
          .select((s) => [
            'c.id',
            'c.org_id',
            s.val(event.type).as('type'),
            s.val(event.data).as('data'),
            'c.created_at',
          ]),
      )
      .returning('call_id')
      .executeTakeFirstOrThrow();
    return Number(row.call_id);
  }
  const row = await trx.insertInto('calls').values(call).returning(['id']).executeTakeFirstOrThrow();
  const callId = Number(row.id);
  await trx
    .insertInto('call_events')
    .values({ call_id: callId, org_id: call.org_id, type: event.type, data: event.data, created_at: call.created_at })
    .execute();
  return callId;
}

export async function placeCall(d: PlaceCallDeps, orgId: number, body: unknown): Promise<PlacedCall> {
  const req = parsePlaceCallRequest(body, d.voices, d.targets);
  const hash = req.idempotencyKey === undefined ? null : createHash('sha256').update(canonical(body)).digest('hex');
  const checks = await loadChecks(d.db, orgId, req);
  const priorId = checks.prior_id ?? null;
  if (req.idempotencyKey !== undefined && hash !== null && priorId !== null) {
    const prior = {
      id: Number(priorId),
      idempotency_hash: checks.prior_hash ?? null,
      created_at: checks.prior_created_at ?? '',
    };
    const replay = await decideOnPrior(d, req.idempotencyKey, hash, prior);
    if (replay) return replay;
  }

  if (checks.number_id === null || checks.number_source === null || checks.number_status === null)
    throw new AppError('not_found', 'from_number_not_registered', 'from_number is not registered to this organization');
  const number = {
    id: Number(checks.number_id),
    source: checks.number_source,
    status: checks.number_status,
    voip_verification_status: checks.number_verification_status,
  };

  let agent: AgentRecord | undefined;
  let source: string;
  let cfg: CallAgentConfig;
  if (req.inline) {
    source = 'inline';
    cfg = req.inline;
  } else {
    if (req.agentId === undefined && checks.number_outbound_agent_id === null)
      throw bad(
        "No agent_id or config given and from_number has no outbound agent: set the number's outbound_agent_id, or pass agent_id or config.",
        'outbound_agent_missing',
      );
    if (checks.id === null) throw new AppError('not_found', 'agent_not_found', 'Agent not found');
    // The agents columns came from selectAll('a'): with a matched id they are the agent's row.
    agent = agentFromRow(checks as Row<'agents'>);
    source = req.agentId === undefined ? 'number_outbound_agent' : 'agent';
    cfg = agentCallConfig(agent);
  }

  if (number.source === 'demo')
    throw new AppError(
      'forbidden',
      'outbound_demo_number',
      'Outbound blocked: from_number is a demo number, and demo numbers are inbound-only. Import your own number through a VoIP connection.',
    );
  if (!isOutboundEligible(number))
    throw new AppError(
      'forbidden',
      'outbound_unverified_number',
      'Outbound blocked: from_number is an unverified VoIP number. Verify it with POST /v1/phone-numbers/{id}/verify-voip.',
    );
  if (checks.org_trial === 1)
    throw new AppError(
      'forbidden',
      'outbound_trial_org',
      'Outbound blocked: trial organizations cannot place outbound calls. Ask the operator to lift the trial restriction.',
    );
  if (Number(checks.org_balance_cents) <= 0)
    throw new AppError('payment_required', 'insufficient_balance', 'Insufficient balance');

  const config = resolvedConfig(source, agent, cfg, req);
  const now = d.clock.nowIso();
  try {
    const callId = await d.db.transaction().execute(async (trx) => {
      const id = await insertCallWithEvent(
        trx,
        d.dialect,
        {
          org_id: orgId,
          agent_id: agent?.id ?? null,
          phone_number_id: Number(number.id),
          direction: 'outbound',
          from_number: req.from,
          to_number: req.to,
          status: 'in_progress',
          config: JSON.stringify(config),
          variables: JSON.stringify(req.variables),
          max_hold_seconds: config.max_hold_seconds as number | null,
          product: cfg.product,
          voice: cfg.voice,
          transcript: '[]',
          metrics: '{}',
          is_test_call: 0,
          idempotency_key: req.idempotencyKey ?? null,
          idempotency_hash: hash,
          created_at: now,
          updated_at: now,
        },
        { type: 'call.initiated', data: JSON.stringify({ source, agent_id: agent?.id ?? null }) },
      );
      await d.queue.enqueue(DIAL_QUEUE, { callId: id }, { trx });
      return id;
    });
    return { call_id: callId, status: 'initiated' };
  } catch (err) {
    if (req.idempotencyKey !== undefined && hash !== null && isUniqueViolation(err)) {
      // A concurrent request with the same key won the insert: answer as its replay.
      const replay = await replayOrConflict(d, orgId, req.idempotencyKey, hash);
      if (replay) return replay;
    }
    throw err;
  }
}
