import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { ProductTier } from '../config/config';
import type { Logger } from '../shared/log';
import { applyLedgerEntry } from '../billing/ledger';
import { settleHold } from '../billing/balance-holds';
import { callCharge } from './call-charge';
import type { EndReason } from './call-state';
import type { CallRow } from './call-repo';
import type { AnsweredByReport } from './voicemail/call-screening';
import { withCampaignPublicIds } from './call-queries';
import { jsonArrayColumn, jsonObjectColumn } from '../store/json-columns';
import type { JobQueue } from '../jobs/job-queue';
import { requestCallAnalysis } from '../analysis/call-analysis-queue';

/** The part of WebhookService the calls module uses: an outbox write inside our transaction. */
export interface CallEventEmitter {
  emit(
    trx: Transaction<DB> | Kysely<DB>,
    event: { orgId: number; type: string; data: Record<string, unknown> },
  ): Promise<unknown>;
}

/** One function-tool invocation during the call, reported as `telephony.tool`. */
export interface ToolCallRecord {
  name: string;
  arguments: unknown;
  response?: unknown;
  error?: string | null;
  startMs?: number;
  endMs?: number;
}

export interface FinalizeInput {
  callId: number;
  endReason: EndReason;
  transferNumber?: string | null;
  /** When the call ended; defaults to now. */
  endedAtIso?: string;
  /** Transcript turns (API §4.4); kept as stored when omitted. */
  transcript?: unknown[];
  recordingPath?: string | null;
  metrics?: Record<string, unknown>;
  toolCalls?: ToolCallRecord[];
  /**
   * Outbound answering-machine detection (voicemail/call-screening.ts): who answered, answer →
   * decision ms, answer → the agent was let speak on a provisional guess of a person.
   */
  answeredBy?: AnsweredByReport;
}

export interface FinalizeDeps {
  db: Kysely<DB>;
  clock: Clock;
  rateCentsPerMinute: Record<ProductTier, number>;
  events: CallEventEmitter;
  /** Expiring signed URL of the recording for the webhook (null without a recording). */
  recordingUrl?: (call: CallRow) => string | null;
  /** Where the post-call analysis job goes (answered calls whose agent has `post_call_analysis`). */
  analysisQueue?: JobQueue;
  /** Warns when a charge had to be capped at the balance (the call ran past its reservation). */
  log?: Logger;
}

export interface FinalizeResult {
  /** False when the call was already terminal: nothing changed, nothing was billed or sent. */
  finalized: boolean;
  call: CallRow | undefined;
}

/**
 * Ends a call in ONE transaction: terminal status, times, transcript, the bill (one ledger debit
 * with reference `call:<id>`, only if the call was answered) and its balance hold closed —
 * settled with the debit, or released when nothing is charged — and the `telephony.complete` and
 * `telephony.tool` webhooks through the outbox, and — for an answered call whose agent asks for it —
 * the post-call analysis job (analysis/). Guarded on `status = 'in_progress'`, so retries,
 * races and restarts cannot end or bill a call twice. The debit never takes the balance below
 * zero (billing/balance-holds.ts settleHold): a call that ran past its reservation is charged
 * at most what is left.
 */
export async function finalizeCall(deps: FinalizeDeps, input: FinalizeInput): Promise<FinalizeResult> {
  try {
    return await finalizeInTransaction(deps, input);
  } catch (err) {
    // Another finalizer ended the call between our read and our UPDATE: nothing of ours stays.
    if (err instanceof AlreadyTerminal) return { finalized: false, call: err.call };
    throw err;
  }
}

class AlreadyTerminal extends Error {
  readonly call: CallRow;
  constructor(call: CallRow) {
    super('call already terminal');
    this.call = call;
  }
}

async function finalizeInTransaction(deps: FinalizeDeps, input: FinalizeInput): Promise<FinalizeResult> {
  return deps.db.transaction().execute(async (trx) => {
    const call = await trx.selectFrom('calls').selectAll().where('id', '=', input.callId).executeTakeFirst();
    if (!call || call.status !== 'in_progress') return { finalized: false, call };

    const endIso = input.endedAtIso ?? deps.clock.nowIso();
    const answered = call.answered_at !== null;
    const talkMs = answered ? Math.max(0, Date.parse(endIso) - Date.parse(call.answered_at ?? endIso)) : 0;
    const charge = callCharge(answered, talkMs, call.product, deps.rateCentsPerMinute);
    const nowIso = deps.clock.nowIso();
    // Locks the org's balance first (the order every balance writer uses), then closes the hold.
    const settlement = await settleHold(trx, {
      orgId: call.org_id,
      callId: call.id,
      chargeCents: charge.totalCents,
      nowIso,
      nowMs: deps.clock.nowMs(),
    });
    const status = answered ? 'completed' : 'failed';
    const transcript = input.transcript ?? jsonArrayColumn(call.transcript);

    const updated = await trx
      .updateTable('calls')
      .set({
        status,
        phase: 'ended',
        end_reason: input.endReason,
        transfer_number: input.endReason === 'transfer' ? (input.transferNumber ?? null) : null,
        start_time: call.start_time ?? call.dialed_at ?? call.created_at,
        end_time: endIso,
        duration_seconds: Math.round(talkMs / 1000),
        transcript: JSON.stringify(transcript),
        ...(input.recordingPath !== undefined ? { recording_path: input.recordingPath } : {}),
        ...(input.metrics !== undefined ? { metrics: JSON.stringify(input.metrics) } : {}),
        ...(input.answeredBy && answered
          ? {
              answered_by: input.answeredBy.answeredBy,
              answered_by_ms: input.answeredBy.decisionMs,
              answered_by_guess_ms: input.answeredBy.guessMs,
            }
          : {}),
        billable_minutes: charge.billableMinutes,
        billing_total_cents: settlement.debitCents,
        billed_at: nowIso,
        updated_at: nowIso,
      })
      .where('id', '=', call.id)
      .where('status', '=', 'in_progress')
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw new AlreadyTerminal(call);

    if (settlement.capped)
      deps.log?.warn(
        { callId: call.id, chargeCents: charge.totalCents, debitCents: settlement.debitCents },
        'call charge capped at the balance left',
      );
    if (settlement.debitCents > 0) {
      await applyLedgerEntry(trx, {
        orgId: call.org_id,
        amountCents: -settlement.debitCents,
        kind: 'call_charge',
        description: `Call ${call.id}: ${charge.billableMinutes} min`,
        callId: call.id,
        reference: `call:${call.id}`,
        nowIso,
      });
    }

    if (status === 'completed' && deps.analysisQueue && jsonObjectColumn(call.config).post_call_analysis)
      await requestCallAnalysis(trx, deps.analysisQueue, call.id, nowIso);

    const agentName = await agentNameOf(trx, updated);
    const [withCampaign] = await withCampaignPublicIds(trx, [updated]);
    const campaignId = withCampaign?.campaign_public_id ?? null;
    // Browser and realtime sessions (direction mic/widget) report as web.*, phone calls as telephony.* (API §5.3).
    const family = call.direction === 'mic' || call.direction === 'widget' ? 'web' : 'telephony';
    for (const tool of input.toolCalls ?? []) {
      await deps.events.emit(trx, {
        orgId: call.org_id,
        type: `${family}.tool`,
        data: {
          call_id: call.id,
          direction: call.direction,
          name: tool.name,
          arguments: tool.arguments,
          response: tool.response ?? null,
          error: tool.error ?? null,
          agent_name: agentName,
        },
      });
    }
    await deps.events.emit(trx, {
      orgId: call.org_id,
      type: `${family}.complete`,
      data: completePayload(updated, agentName, deps, campaignId),
    });
    return { finalized: true, call: updated };
  });
}

/** `telephony.complete` data (API §5.5) for a terminal call; `campaignId` is the campaign's public_id. */
export function completePayload(
  call: CallRow,
  agentName: string | null,
  deps: Pick<FinalizeDeps, 'recordingUrl'>,
  campaignId: string | null = null,
): Record<string, unknown> {
  return {
    call_id: call.id,
    direction: call.direction,
    from_number: call.from_number,
    to_number: call.to_number,
    start_time: call.start_time,
    end_time: call.end_time,
    duration_seconds: call.duration_seconds,
    status: call.status,
    end_reason: call.end_reason,
    product: call.product,
    voice: call.voice,
    transfer_number: call.transfer_number,
    recording_url: call.recording_path ? (deps.recordingUrl?.(call) ?? null) : null,
    billable_minutes: call.billable_minutes,
    billing_total_cents: call.billing_total_cents,
    transcripts: jsonArrayColumn(call.transcript),
    agent_name: agentName,
    answered_by: call.answered_by ?? null,
    answered_by_decision_ms: call.answered_by_ms ?? null,
    answered_by_guess_ms: call.answered_by_guess_ms ?? null,
    campaign_id: campaignId,
  };
}

async function agentNameOf(trx: Transaction<DB>, call: CallRow): Promise<string | null> {
  if (call.agent_id !== null) {
    const agent = await trx.selectFrom('agents').select('name').where('id', '=', call.agent_id).executeTakeFirst();
    if (agent) return agent.name;
  }
  const config = jsonObjectColumn(call.config);
  return typeof config.name === 'string' ? config.name : null;
}
