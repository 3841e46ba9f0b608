import type { Kysely } from 'kysely';
import type { DB } from '../store/tables';
import type { DialectName } from '../store/db';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/log';
import type { JobQueue } from '../jobs/job-queue';
import { AppError } from '../shared/errors';
import { placeCall } from '../calls/place-call';
import { heldCents } from '../billing/balance-holds';
import { windowState } from './daily-window';
import type { CampaignRow, ContactRow, ContactStatus } from './campaign-service';
import {
  CAMPAIGN_DISPATCH_QUEUE,
  continueChain,
  isCurrentSlot,
  kickDispatcher,
  type DispatchJob,
} from './dispatch-chain';

/**
 * One dispatch pass over a campaign (the `campaigns.dispatch` job, dispatch-chain.ts):
 *  1. harvest: contacts `calling` whose call has ended get the call's outcome (retryable ones —
 *     no_answer, busy, voicemail — go back to queued after `retry_delay_seconds` until
 *     `max_attempts`; a call refused for insufficient balance gives the attempt back and pauses
 *     the campaign);
 *  2. a running campaign with nothing queued or calling is `completed`;
 *  3. balance ≤ 0 → paused (`pause_reason: insufficient_balance`), contacts untouched;
 *  4. outside the daily window (campaign time zone) → wait for it to open;
 *  5. free call slots of the org (its limit minus ALL its calls in progress, single calls
 *     included, so campaigns never crowd them out of the FIFO) → claim that many due contacts
 *     and place their calls. Each claim is a guarded UPDATE (status queued AND attempts = N−1)
 *     in the call's own transaction: one attempt, one call, whatever crashes or servers race.
 * Returns when to run again (ms), or null: nothing left to watch.
 */
export interface DispatcherDeps {
  db: Kysely<DB>;
  dialect: DialectName;
  clock: Clock;
  ids: IdGenerator;
  queue: JobQueue;
  log: Logger;
  /** MAX_CONCURRENT_CALLS_PER_ORG (orgs.max_concurrent_calls overrides it). */
  defaultMaxConcurrent: number;
  /** CAMPAIGN_DISPATCH_INTERVAL_MS. */
  intervalMs: number;
}

/**
 * What became of a contact's call (its calls row, once terminal). Voicemail: end_reason "voicemail",
 * or any answered call the detector decided was a machine (voicemail_action continue, or a machine
 * that ended the call some other way): the contact was not reached, so it is retried.
 */
export const VOICEMAIL_END_REASON = 'voicemail';
type Outcome = 'completed' | 'voicemail' | 'no_answer' | 'busy' | 'failed' | 'no_balance';
const RETRYABLE: ReadonlySet<Outcome> = new Set(['voicemail', 'no_answer', 'busy']);

export function outcomeOfCall(call: {
  status: string;
  end_reason: string | null;
  answered_by?: string | null;
}): Outcome {
  if (call.end_reason === VOICEMAIL_END_REASON) return 'voicemail';
  if (call.status === 'completed' && call.answered_by === 'machine') return 'voicemail';
  if (call.status === 'completed') return 'completed';
  switch (call.end_reason) {
    case 'no_answer':
      return 'no_answer';
    case 'busy':
      return 'busy';
    case 'insufficient_balance':
      return 'no_balance';
    default:
      return 'failed';
  }
}

async function harvest(d: DispatcherDeps, c: CampaignRow): Promise<{ noBalance: boolean; calling: number }> {
  const rows = await d.db
    .selectFrom('campaign_contacts as cc')
    .leftJoin('calls as k', 'k.id', 'cc.last_call_id')
    .select([
      'cc.id',
      'cc.attempts',
      'cc.last_call_id',
      'k.status as call_status',
      'k.end_reason',
      'k.answered_at',
      'k.answered_by',
    ])
    .where('cc.campaign_id', '=', c.id)
    .where('cc.status', '=', 'calling')
    .execute();
  let noBalance = false;
  let calling = 0;
  const now = d.clock.nowMs();
  for (const r of rows) {
    if (r.call_status === null || r.call_status === 'in_progress') {
      calling++;
      continue;
    }
    const outcome = outcomeOfCall({ status: r.call_status, end_reason: r.end_reason, answered_by: r.answered_by });
    let status: ContactStatus;
    let attempts = r.attempts;
    let nextAt: string | null = null;
    if (outcome === 'no_balance' && r.answered_at === null) {
      // Never dialed: the attempt did not happen; the contact waits for the campaign to resume.
      noBalance = true;
      status = 'queued';
      attempts = Math.max(0, r.attempts - 1);
    } else if (outcome === 'no_balance') status = 'completed';
    else if (RETRYABLE.has(outcome) && r.attempts < c.max_attempts) {
      status = 'queued';
      nextAt = new Date(now + c.retry_delay_seconds * 1000).toISOString();
    } else status = outcome;
    await d.db
      .updateTable('campaign_contacts')
      .set({
        status,
        attempts,
        next_attempt_at: nextAt,
        last_outcome: outcome === 'no_balance' ? 'insufficient_balance' : outcome,
        updated_at: d.clock.nowIso(),
      })
      .where('id', '=', r.id)
      .where('status', '=', 'calling')
      .where('last_call_id', '=', r.last_call_id)
      .execute();
  }
  return { noBalance, calling };
}

async function setStatus(d: DispatcherDeps, c: CampaignRow, status: string, reason: string | null): Promise<void> {
  const now = d.clock.nowIso();
  await d.db
    .updateTable('campaigns')
    .set({
      status,
      pause_reason: reason,
      updated_at: now,
      ...(status === 'completed' ? { finished_at: now } : {}),
    })
    .where('id', '=', c.id)
    .where('status', '=', 'running')
    .execute();
  d.log.info({ campaignId: Number(c.id), status, reason }, 'campaign status changed by the dispatcher');
}

async function freeSlots(
  d: DispatcherDeps,
  orgId: number,
): Promise<{ slots: number; balance: number; available: number }> {
  const org = await d.db
    .selectFrom('orgs')
    .select(['balance_cents', 'max_concurrent_calls'])
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  const running = await d.db
    .selectFrom('calls')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('status', '=', 'in_progress')
    .executeTakeFirstOrThrow();
  const limit = org.max_concurrent_calls ?? d.defaultMaxConcurrent;
  const balance = Number(org.balance_cents);
  const available = balance - (await heldCents(d.db, orgId, d.clock.nowMs()));
  return { slots: Math.max(0, limit - Number(running.n)), balance, available };
}

/** Places the call of one claimed contact; false = claimed elsewhere. AppErrors are the campaign's problem. */
async function dial(d: DispatcherDeps, c: CampaignRow, contact: ContactRow): Promise<boolean> {
  const attempt = contact.attempts + 1;
  const placed = await placeCall(
    { db: d.db, dialect: d.dialect, clock: d.clock, queue: d.queue },
    Number(c.org_id),
    {
      from: c.from_number,
      to: contact.phone_number,
      agent: { source: 'agent', agentId: Number(c.agent_id) },
      maxHoldSeconds: undefined,
      variables: JSON.parse(contact.variables) as Record<string, string>,
      idempotency: undefined,
    },
    {
      campaignId: Number(c.id),
      contactId: Number(contact.id),
      claim: async (trx) => {
        const r = await trx
          .updateTable('campaign_contacts')
          .set({ status: 'calling', attempts: attempt, next_attempt_at: null, updated_at: d.clock.nowIso() })
          .where('id', '=', contact.id)
          .where('status', '=', 'queued')
          .where('attempts', '=', contact.attempts)
          .executeTakeFirst();
        return Number(r.numUpdatedRows) === 1;
      },
      placed: async (trx, callId) => {
        await trx.updateTable('campaign_contacts').set({ last_call_id: callId }).where('id', '=', contact.id).execute();
      },
    },
  );
  return placed !== null;
}

export async function dispatchOnce(d: DispatcherDeps, campaignId: number): Promise<number | null> {
  const c = await d.db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
  if (!c) return null;
  const { noBalance, calling } = await harvest(d, c);
  const watch = calling > 0 ? d.intervalMs : null;
  if (c.status === 'running' && noBalance) {
    await setStatus(d, c, 'paused', 'insufficient_balance');
    return watch;
  }
  if (c.status !== 'running') return watch;

  const now = d.clock.nowMs();
  const queued = await d.db
    .selectFrom('campaign_contacts')
    .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('next_attempt_at').as('next')])
    .where('campaign_id', '=', c.id)
    .where('status', '=', 'queued')
    .executeTakeFirstOrThrow();
  if (Number(queued.n) === 0) {
    if (calling === 0) {
      await setStatus(d, c, 'completed', null);
      return null;
    }
    return watch;
  }

  const window = windowState(now, c.timezone, c.daily_window_start, c.daily_window_end);
  if (!window.open) return Math.min(window.opensAtMs - now, watch ?? Infinity);

  const { slots, balance, available } = await freeSlots(d, Number(c.org_id));
  if (balance <= 0) {
    await setStatus(d, c, 'paused', 'insufficient_balance');
    return watch;
  }
  if (slots === 0 || available <= 0) return d.intervalMs;

  const due = await d.db
    .selectFrom('campaign_contacts')
    .selectAll()
    .where('campaign_id', '=', c.id)
    .where('status', '=', 'queued')
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', new Date(now).toISOString())]))
    .orderBy('id')
    .limit(slots)
    .execute();
  for (const contact of due) {
    try {
      await dial(d, c, contact);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // The campaign cannot place calls (number, agent, balance, gate): pause it with the reason.
      const reason = err.code === 'insufficient_balance' ? 'insufficient_balance' : err.code;
      d.log.warn(
        { campaignId: Number(c.id), code: err.code, detail: err.message },
        'campaign paused: a call was refused',
      );
      await setStatus(d, c, 'paused', reason);
      return watch ?? d.intervalMs;
    }
  }
  if (due.length === 0 && calling === 0 && queued.next !== null) {
    // Every queued contact waits for its retry time.
    return Math.max(0, Math.min(Date.parse(String(queued.next)) - now, window.closesAtMs - now));
  }
  return d.intervalMs;
}

/**
 * Chains that lost their job: a running campaign without a token, or one whose job is overdue by
 * `staleMs` (its worker was killed mid-pass: pg-boss keeps that job `active` until it expires),
 * and paused/cancelled ones that still have calls to harvest. A new token makes the lost job stale.
 */
export async function restartLostChains(d: DispatcherDeps, staleMs: number): Promise<number> {
  const overdue = new Date(d.clock.nowMs() - staleMs).toISOString();
  const rows = await d.db
    .selectFrom('campaigns')
    .select(['id', 'status', 'dispatch_slot'])
    .where('status', 'in', ['running', 'paused', 'cancelled'])
    .where((eb) => eb.or([eb('dispatch_slot', 'is', null), eb('dispatch_due_at', '<', overdue)]))
    .execute();
  let kicked = 0;
  for (const o of rows) {
    const calling = await d.db
      .selectFrom('campaign_contacts')
      .select('id')
      .where('campaign_id', '=', o.id)
      .where('status', '=', 'calling')
      .limit(1)
      .executeTakeFirst();
    if (o.status !== 'running' && !calling) continue;
    await kickDispatcher(d.db, d.queue, d.ids, d.clock, Number(o.id));
    kicked++;
  }
  if (kicked > 0) d.log.info({ kicked }, 'campaign dispatch chains restarted');
  return kicked;
}

/** Registers the dispatcher worker and a watchdog for lost chains (at start, then every staleMs). */
export async function startCampaignDispatcher(d: DispatcherDeps): Promise<{ stop(): void }> {
  await d.queue.work<DispatchJob>(
    CAMPAIGN_DISPATCH_QUEUE,
    async (job) => {
      const payload = { campaignId: Number(job.payload.campaignId), slot: String(job.payload.slot) };
      if (!(await isCurrentSlot(d.db, payload))) return;
      const next = await dispatchOnce(d, payload.campaignId);
      await continueChain(d.db, d.queue, d.ids, d.clock, payload, next);
    },
    { concurrency: 2 },
  );
  const staleMs = Math.max(10_000, 10 * d.intervalMs);
  const check = () =>
    restartLostChains(d, staleMs).catch((err: unknown) => d.log.warn({ err }, 'campaign chain check failed'));
  await check();
  const timer = setInterval(() => void check(), staleMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
