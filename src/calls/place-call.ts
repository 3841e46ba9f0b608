import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DialectName } from '../store/db';
import type { CallsTable, DB, Row } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { JobQueue } from '../jobs/job-queue';
import { AppError } from '../shared/errors';
import { isUniqueViolation } from '../store/unique-violation';
import type { CallAgentConfig } from '../agents/call-config';
import { agentCallConfig, agentFromRow, type AgentRecord } from '../agents/agent-service';
import { fillPromptVariables, type PromptVariables } from '../agents/prompt-variables';
import { isOutboundEligible } from '../numbers/phone-number-service';
import { DIAL_QUEUE } from './call-runtime';

/**
 * Places an outbound call (POST /v1/call; api/wire/outbound-call.ts validates the body and maps it
 * to PlaceCallInput). Checks, in this order (the first failing one answers):
 *   idempotency: same key + same request within 24 h → the same call (`idempotentReplay`);
 *       same key + another request → 409 `idempotency_key_reused`
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
 *     primary_language: string | null,
 *     voicemail_action: "hang_up" | "leave_message" | "continue" (inline: continue),
 *     voicemail_message: string (variables filled), post_call_analysis: object | null (the agent's;
 *     analysis/analysis-settings.ts), barge_in: object | null (the inline config's, else the agent's;
 *     agents/barge-in-settings.ts) }
 * `calls.variables` holds the request's variables, `calls.max_hold_seconds` the effective value,
 * `calls.agent_version` the saved agent's deployed revision at placement (a later deploy does not
 * change this call; a pending draft is never used).
 */
export interface PlaceCallDeps {
  db: Kysely<DB>;
  dialect: DialectName;
  clock: Clock;
  queue: JobQueue;
  /** OUTBOUND_ATTESTATION_REQUIRED: the org's outbound attestation is needed (403 outbound_attestation_missing). */
  requireAttestation?: boolean;
}

/**
 * A campaign's attempt (campaigns/campaign-dispatcher.ts): the call row carries the campaign ids,
 * and `claim` runs inside the call's transaction first — false (the contact was claimed by
 * another dispatcher) rolls everything back and placeCall returns null.
 */
export interface CampaignAttempt {
  campaignId: number;
  contactId: number;
  claim(trx: Transaction<DB>): Promise<boolean>;
  /** After the call row exists, in the same transaction (the contact remembers its call). */
  placed(trx: Transaction<DB>, callId: number): Promise<void>;
}

/** A validated request to place a call. */
export interface PlaceCallInput {
  from: string;
  to: string;
  /** Who talks: a saved agent, an inline configuration, or the from number's outbound agent. */
  agent:
    | { source: 'agent'; agentId: number }
    | { source: 'inline'; config: CallAgentConfig }
    | { source: 'number_outbound_agent' };
  /** Overrides the agent's hold timeout (null = the platform default); undefined = the agent's. */
  maxHoldSeconds: number | null | undefined;
  variables: PromptVariables;
  /** `requestHash` fingerprints the request: the same key with another hash is a conflict. */
  idempotency: { key: string; requestHash: string } | undefined;
}

export interface PlacedCall {
  callId: number;
  /** True when an earlier call with the same idempotency key and request was returned. */
  idempotentReplay: boolean;
}

export const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;

function resolvedConfig(
  source: string,
  agent: AgentRecord | undefined,
  cfg: CallAgentConfig,
  req: PlaceCallInput,
): Record<string, unknown> {
  return {
    source,
    agent_id: agent?.id ?? null,
    name: agent?.name ?? null,
    ...cfg,
    prompt: fillPromptVariables(cfg.prompt, req.variables),
    speak_order: agent?.outbound_speak_order ?? 'agent_first',
    max_hold_seconds: req.maxHoldSeconds !== undefined ? req.maxHoldSeconds : (agent?.max_hold_seconds ?? null),
    primary_language: agent?.primary_language ?? null,
    voicemail_action: agent?.voicemail_action ?? 'continue',
    voicemail_message: fillPromptVariables(agent?.voicemail_message ?? '', req.variables),
    post_call_analysis: agent?.post_call_analysis ?? null,
    barge_in: cfg.barge_in ?? agent?.barge_in ?? null,
  };
}

/**
 * Everything the checks need, read in ONE round trip: the org (trial, balance), the active
 * from_number of the org, the prior call with the same idempotency key (when one is given) and
 * the agent (agent_id, else the number's outbound agent; the org's and not deleted). Every join
 * is scoped to the org, so another tenant's number, call or agent is never found. (With an
 * inline config the joined agent is simply not used.)
 */
async function loadChecks(db: Kysely<DB>, orgId: number, req: PlaceCallInput) {
  const key = req.idempotency?.key;
  const agentId = req.agent.source === 'agent' ? req.agent.agentId : undefined;
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
          agentId !== undefined ? eb('a.id', '=', agentId) : eb('a.id', '=', eb.ref('pn.outbound_agent_id')),
        ),
    )
    .leftJoin('outbound_attestations as att', 'att.org_id', 'o.id')
    .selectAll('a')
    .select([
      'o.trial as org_trial',
      'o.balance_cents as org_balance_cents',
      'att.org_id as attested_org_id',
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
      'idempotency_key_reused',
      `idempotency_key "${key}" was already used (call ${prior.id}) with a different request body; use a new key for a different call.`,
      {
        details: { call_id: Number(prior.id) },
      },
    );
  return { callId: Number(prior.id), idempotentReplay: true };
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

class ClaimLost extends Error {}

export const ATTESTATION_MISSING_DETAIL =
  'Outbound blocked: this organization has no outbound-calling (TCPA) attestation. The operator records it once (thunderphone admin attest <org_id>); see GET /v1/outbound-tcpa-confirmation.';

export async function placeCall(d: PlaceCallDeps, orgId: number, req: PlaceCallInput): Promise<PlacedCall>;
export async function placeCall(
  d: PlaceCallDeps,
  orgId: number,
  req: PlaceCallInput,
  attempt: CampaignAttempt,
): Promise<PlacedCall | null>;
export async function placeCall(
  d: PlaceCallDeps,
  orgId: number,
  req: PlaceCallInput,
  attempt?: CampaignAttempt,
): Promise<PlacedCall | null> {
  const checks = await loadChecks(d.db, orgId, req);
  const priorId = checks.prior_id ?? null;
  if (req.idempotency !== undefined && priorId !== null) {
    const prior = {
      id: Number(priorId),
      idempotency_hash: checks.prior_hash ?? null,
      created_at: checks.prior_created_at ?? '',
    };
    const replay = await decideOnPrior(d, req.idempotency.key, req.idempotency.requestHash, prior);
    if (replay) return replay;
  }

  if (checks.number_id === null || checks.number_source === null || checks.number_status === null)
    throw new AppError('from_number_not_registered', 'from_number is not registered to this organization');
  const number = {
    id: Number(checks.number_id),
    source: checks.number_source,
    status: checks.number_status,
    voip_verification_status: checks.number_verification_status,
  };

  let agent: AgentRecord | undefined;
  const source = req.agent.source;
  let cfg: CallAgentConfig;
  if (req.agent.source === 'inline') cfg = req.agent.config;
  else {
    if (req.agent.source === 'number_outbound_agent' && checks.number_outbound_agent_id === null)
      throw new AppError(
        'outbound_agent_missing',
        "No agent_id or config given and from_number has no outbound agent: set the number's outbound_agent_id, or pass agent_id or config.",
      );
    if (checks.id === null) throw new AppError('agent_not_found', 'Agent not found');
    // The agents columns came from selectAll('a'): with a matched id they are the agent's row.
    agent = agentFromRow(checks as Row<'agents'>);
    cfg = agentCallConfig(agent);
  }

  if (number.source === 'demo')
    throw new AppError(
      'outbound_demo_number',
      'Outbound blocked: from_number is a demo number, and demo numbers are inbound-only. Import your own number through a VoIP connection.',
    );
  if (!isOutboundEligible(number))
    throw new AppError(
      'outbound_unverified_number',
      'Outbound blocked: from_number is an unverified VoIP number. Verify it with POST /v1/phone-numbers/{id}/verify-voip.',
    );
  if (checks.org_trial === 1)
    throw new AppError(
      'outbound_trial_org',
      'Outbound blocked: trial organizations cannot place outbound calls. Ask the operator to lift the trial restriction.',
    );
  if (d.requireAttestation === true && checks.attested_org_id === null)
    throw new AppError('outbound_attestation_missing', ATTESTATION_MISSING_DETAIL);
  if (Number(checks.org_balance_cents) <= 0) throw new AppError('insufficient_balance', 'Insufficient balance');

  const config = resolvedConfig(source, agent, cfg, req);
  const now = d.clock.nowIso();
  try {
    const callId = await d.db.transaction().execute(async (trx) => {
      if (attempt !== undefined && !(await attempt.claim(trx))) throw new ClaimLost();
      const id = await insertCallWithEvent(
        trx,
        d.dialect,
        {
          org_id: orgId,
          agent_id: agent?.id ?? null,
          agent_version: agent?.version ?? null,
          campaign_id: attempt?.campaignId ?? null,
          campaign_contact_id: attempt?.contactId ?? null,
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
          idempotency_key: req.idempotency?.key ?? null,
          idempotency_hash: req.idempotency?.requestHash ?? null,
          created_at: now,
          updated_at: now,
        },
        { type: 'call.initiated', data: JSON.stringify({ source, agent_id: agent?.id ?? null }) },
      );
      await d.queue.enqueue(DIAL_QUEUE, { callId: id }, { trx });
      await attempt?.placed(trx, id);
      return id;
    });
    return { callId, idempotentReplay: false };
  } catch (err) {
    if (err instanceof ClaimLost) return null;
    if (req.idempotency !== undefined && isUniqueViolation(err)) {
      // A concurrent request with the same key won the insert: answer as its replay.
      const replay = await replayOrConflict(d, orgId, req.idempotency.key, req.idempotency.requestHash);
      if (replay) return replay;
    }
    throw err;
  }
}
