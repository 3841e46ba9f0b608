import type { Kysely, Transaction } from 'kysely';
import type { DB, Row } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { JobQueue } from '../jobs/job-queue';
import { AppError, FieldErrors } from '../shared/errors';
import { campaignSettingsOf, type CampaignSettings } from './campaign-input';
import type { ContactImport } from './contact-import';
import { hasOutboundAttestation } from './outbound-attestation';
import { kickDispatcher } from './dispatch-chain';
import { ATTESTATION_MISSING_DETAIL } from '../calls/place-call';

/**
 * Campaigns of one org (thunderphone-api.md §3.19): CRUD, contacts, start / pause / resume /
 * cancel, stats. Every query is scoped to the org (another org's campaign is "not found").
 * Status: draft → running ⇄ paused → completed | cancelled. The dispatcher
 * (campaign-dispatcher.ts) dials; this module only changes what the user asks for.
 */
export type CampaignRow = Row<'campaigns'>;
export type ContactRow = Row<'campaign_contacts'>;

export interface CampaignDeps {
  db: Kysely<DB>;
  clock: Clock;
  ids: IdGenerator;
  queue: JobQueue;
  /** CAMPAIGN_RETRY_DELAY_SECONDS: default retry delay of new campaigns. */
  defaultRetryDelaySeconds: number;
}

export const CONTACT_STATUSES = [
  'queued',
  'calling',
  'completed',
  'voicemail',
  'no_answer',
  'busy',
  'failed',
  'cancelled',
] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

const notFound = () => new AppError('campaign_not_found', 'Campaign not found');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loadCampaign(
  db: Kysely<DB> | Transaction<DB>,
  orgId: number,
  publicId: string,
): Promise<CampaignRow> {
  if (!UUID.test(publicId)) throw notFound();
  const row = await db
    .selectFrom('campaigns')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('public_id', '=', publicId.toLowerCase())
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

function conflict(c: CampaignRow, what: string): AppError {
  return new AppError('campaign_state_conflict', `Cannot ${what} a campaign that is ${c.status}.`, {
    details: { status: c.status },
  });
}

/** The agent (the org's, not deleted) and the from number (the org's, not released) exist. */
async function checkReferences(db: Kysely<DB>, orgId: number, s: CampaignSettings): Promise<void> {
  const errors = new FieldErrors();
  const agent = await db
    .selectFrom('agents')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', s.agentId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!agent) errors.add('agent', 'Agent not found in this organization.');
  const number = await db
    .selectFrom('phone_numbers')
    .select('id')
    .where('org_id', '=', orgId)
    .where('number', '=', s.fromNumber)
    .where('released_at', 'is', null)
    .executeTakeFirst();
  if (!number) errors.add('from_number', 'from_number is not registered to this organization.');
  errors.throwIfAny();
}

export async function createCampaign(d: CampaignDeps, orgId: number, body: Record<string, unknown>) {
  const s = campaignSettingsOf(body, { retryDelaySeconds: d.defaultRetryDelaySeconds }, true);
  await checkReferences(d.db, orgId, s);
  const now = d.clock.nowIso();
  return d.db
    .insertInto('campaigns')
    .values({
      public_id: d.ids.uuid(),
      org_id: orgId,
      name: s.name,
      agent_id: s.agentId,
      from_number: s.fromNumber,
      timezone: s.timezone,
      daily_window_start: s.windowStart,
      daily_window_end: s.windowEnd,
      max_attempts: s.maxAttempts,
      retry_delay_seconds: s.retryDelaySeconds,
      status: 'draft',
      pause_reason: null,
      dispatch_slot: null,
      dispatch_due_at: null,
      consent_at: null,
      started_at: null,
      finished_at: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listCampaigns(db: Kysely<DB>, orgId: number, limit: number, offset: number) {
  const [rows, total] = await Promise.all([
    db
      .selectFrom('campaigns')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    db
      .selectFrom('campaigns')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export async function countContacts(db: Kysely<DB>, campaignId: number): Promise<number> {
  const r = await db
    .selectFrom('campaign_contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function listContacts(db: Kysely<DB>, campaignId: number, limit: number, offset: number) {
  return db
    .selectFrom('campaign_contacts')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function patchCampaign(d: CampaignDeps, orgId: number, publicId: string, body: Record<string, unknown>) {
  const c = await loadCampaign(d.db, orgId, publicId);
  if (c.status !== 'draft' && c.status !== 'paused') throw conflict(c, 'change');
  const s = campaignSettingsOf(
    body,
    {
      name: c.name,
      agentId: Number(c.agent_id),
      fromNumber: c.from_number,
      timezone: c.timezone,
      windowStart: c.daily_window_start,
      windowEnd: c.daily_window_end,
      maxAttempts: c.max_attempts,
      retryDelaySeconds: c.retry_delay_seconds,
    },
    false,
  );
  await checkReferences(d.db, orgId, s);
  const row = await d.db
    .updateTable('campaigns')
    .set({
      name: s.name,
      agent_id: s.agentId,
      from_number: s.fromNumber,
      timezone: s.timezone,
      daily_window_start: s.windowStart,
      daily_window_end: s.windowEnd,
      max_attempts: s.maxAttempts,
      retry_delay_seconds: s.retryDelaySeconds,
      updated_at: d.clock.nowIso(),
    })
    .where('id', '=', c.id)
    .where('status', 'in', ['draft', 'paused'])
    .returningAll()
    .executeTakeFirst();
  if (!row) throw conflict(await loadCampaign(d.db, orgId, publicId), 'change');
  return row;
}

export async function deleteCampaign(d: CampaignDeps, orgId: number, publicId: string): Promise<void> {
  const c = await loadCampaign(d.db, orgId, publicId);
  if (c.status !== 'draft') throw conflict(c, 'delete');
  await d.db.transaction().execute(async (trx) => {
    const gone = await trx
      .deleteFrom('campaigns')
      .where('id', '=', c.id)
      .where('status', '=', 'draft')
      .executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) throw conflict(c, 'delete');
    await trx.deleteFrom('campaign_contacts').where('campaign_id', '=', c.id).execute();
  });
}

/** Adds the accepted contacts (draft or paused campaigns), in batches. */
export async function addContacts(d: CampaignDeps, orgId: number, publicId: string, imported: ContactImport) {
  const c = await loadCampaign(d.db, orgId, publicId);
  if (c.status !== 'draft' && c.status !== 'paused') throw conflict(c, 'add contacts to');
  const now = d.clock.nowIso();
  const rows = imported.accepted.map((a) => ({
    campaign_id: c.id,
    org_id: orgId,
    phone_number: a.phoneNumber,
    variables: JSON.stringify(a.variables),
    status: 'queued',
    attempts: 0,
    next_attempt_at: null,
    last_call_id: null,
    last_outcome: null,
    created_at: now,
    updated_at: now,
  }));
  await d.db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .insertInto('campaign_contacts')
        .values(rows.slice(i, i + 500))
        .execute();
    await trx.updateTable('campaigns').set({ updated_at: now }).where('id', '=', c.id).execute();
  });
  return { accepted: rows.length, rejected: imported.errors.length, errors: imported.errors };
}

async function transition(
  d: CampaignDeps,
  c: CampaignRow,
  from: string[],
  set: Partial<Omit<CampaignRow, 'id'>>,
  what: string,
  trx?: Transaction<DB>,
): Promise<CampaignRow> {
  const row = await (trx ?? d.db)
    .updateTable('campaigns')
    .set({ ...set, updated_at: d.clock.nowIso() })
    .where('id', '=', c.id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw conflict(c, what);
  return row;
}

/**
 * Starts a draft: `consent_to_charge: true`, the org's outbound attestation, a positive balance
 * and at least one contact are required. The dispatcher starts at once (inside the window).
 */
export async function startCampaign(d: CampaignDeps, orgId: number, publicId: string, consent: unknown) {
  const c = await loadCampaign(d.db, orgId, publicId);
  if (consent !== true)
    throw new AppError(
      'consent_to_charge_required',
      'Starting a campaign places real calls and spends credits: send {"consent_to_charge": true}.',
    );
  if (c.status !== 'draft') throw conflict(c, 'start');
  if (!(await hasOutboundAttestation(d.db, orgId)))
    throw new AppError('outbound_attestation_missing', ATTESTATION_MISSING_DETAIL);
  await requireRunnable(d, c, orgId);
  const now = d.clock.nowIso();
  return d.db.transaction().execute(async (trx) => {
    const row = await transition(
      d,
      c,
      ['draft'],
      { status: 'running', consent_at: now, started_at: now, pause_reason: null },
      'start',
      trx,
    );
    await kickDispatcher(trx, d.queue, d.ids, d.clock, row.id);
    return row;
  });
}

async function requireRunnable(d: CampaignDeps, c: CampaignRow, orgId: number): Promise<void> {
  const org = await d.db.selectFrom('orgs').select('balance_cents').where('id', '=', orgId).executeTakeFirstOrThrow();
  if (Number(org.balance_cents) <= 0) throw new AppError('insufficient_balance', 'Insufficient balance');
  const pending = await d.db
    .selectFrom('campaign_contacts')
    .select('id')
    .where('campaign_id', '=', c.id)
    .where('status', 'in', ['queued', 'calling'])
    .limit(1)
    .executeTakeFirst();
  if (!pending)
    throw new AppError('campaign_state_conflict', 'The campaign has no contacts to call: add contacts first.', {
      details: { status: c.status },
    });
}

/** Running → paused: no new calls; calls in progress finish (and are counted). */
export async function pauseCampaign(d: CampaignDeps, orgId: number, publicId: string) {
  const c = await loadCampaign(d.db, orgId, publicId);
  return transition(d, c, ['running'], { status: 'paused', pause_reason: null }, 'pause');
}

export async function resumeCampaign(d: CampaignDeps, orgId: number, publicId: string) {
  const c = await loadCampaign(d.db, orgId, publicId);
  if (c.status !== 'paused') throw conflict(c, 'resume');
  if (!(await hasOutboundAttestation(d.db, orgId)))
    throw new AppError('outbound_attestation_missing', ATTESTATION_MISSING_DETAIL);
  await requireRunnable(d, c, orgId);
  return d.db.transaction().execute(async (trx) => {
    const row = await transition(d, c, ['paused'], { status: 'running', pause_reason: null }, 'resume', trx);
    await kickDispatcher(trx, d.queue, d.ids, d.clock, row.id);
    return row;
  });
}

/** Ends the campaign: queued contacts become `cancelled`; calls in progress finish. */
export async function cancelCampaign(d: CampaignDeps, orgId: number, publicId: string) {
  const c = await loadCampaign(d.db, orgId, publicId);
  const now = d.clock.nowIso();
  return d.db.transaction().execute(async (trx) => {
    const row = await transition(
      d,
      c,
      ['draft', 'running', 'paused'],
      { status: 'cancelled', finished_at: now, pause_reason: null },
      'cancel',
      trx,
    );
    await trx
      .updateTable('campaign_contacts')
      .set({ status: 'cancelled', updated_at: now })
      .where('campaign_id', '=', c.id)
      .where('status', '=', 'queued')
      .execute();
    return row;
  });
}

export interface CampaignStats {
  total: number;
  queued: number;
  in_progress: number;
  completed: number;
  failed: number;
  voicemail: number;
  no_answer: number;
  busy: number;
  cancelled: number;
  /** Calls placed so far (every attempt of every contact). */
  attempts: number;
  /** Contacts in a final state (everything but queued and in_progress). */
  finished: number;
}

export async function campaignStats(db: Kysely<DB>, campaignId: number): Promise<CampaignStats> {
  const rows = await db
    .selectFrom('campaign_contacts')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('attempts').as('a')])
    .where('campaign_id', '=', campaignId)
    .groupBy('status')
    .execute();
  const by = (s: ContactStatus) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  const total = rows.reduce((n, r) => n + Number(r.n), 0);
  return {
    total,
    queued: by('queued'),
    in_progress: by('calling'),
    completed: by('completed'),
    failed: by('failed'),
    voicemail: by('voicemail'),
    no_answer: by('no_answer'),
    busy: by('busy'),
    cancelled: by('cancelled'),
    attempts: rows.reduce((n, r) => n + Number(r.a ?? 0), 0),
    finished: total - by('queued') - by('calling'),
  };
}
