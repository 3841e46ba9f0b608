import type { Kysely } from 'kysely';
import { AppError, notFound, fieldsError } from '../shared/errors';
import type { DB, Row } from '../store/tables';
import { isUniqueViolation } from '../store/unique-violation';
import type { JobQueue } from '../jobs/job-queue';
import { FieldMessages } from '../agents/call-config';
import { DEMO_ACTIVATION_MS, NUMBER_ACTIVATE_QUEUE, type NumbersDeps } from './numbers-deps';
import { manualTrunk } from './voip-input';
import { safeVerify } from './voip-connection-service';
import { newNumberRow } from './new-number-row';

export type PhoneNumberRow = Row<'phone_numbers'>;

export const numberNotFound = () => notFound('Phone number', 'phone_number_not_found');

/** Outbound calls need a verified, active VoIP number (demo numbers are inbound-only). */
export function isOutboundEligible(n: Pick<PhoneNumberRow, 'source' | 'status' | 'voip_verification_status'>): boolean {
  return n.source === 'voip' && n.status === 'active' && n.voip_verification_status === 'verified';
}

/**
 * Demo numbers are handed out `provisioning` and turn `active` DEMO_ACTIVATION_MS later: by the
 * `numbers.activate` job, or by the first read after that moment (whichever comes first).
 */
export async function activateDueDemoNumbers(db: Kysely<DB>, nowMs: number, orgId?: number): Promise<void> {
  let q = db
    .updateTable('phone_numbers')
    .set({ status: 'active', updated_at: new Date(nowMs).toISOString() })
    .where('source', '=', 'demo')
    .where('status', '=', 'provisioning')
    .where('released_at', 'is', null)
    .where('created_at', '<=', new Date(nowMs - DEMO_ACTIVATION_MS).toISOString());
  if (orgId !== undefined) q = q.where('org_id', '=', orgId);
  await q.execute();
}

export async function listPhoneNumbers(d: NumbersDeps, orgId: number): Promise<PhoneNumberRow[]> {
  await activateDueDemoNumbers(d.db, d.clock.nowMs(), orgId);
  return d.db
    .selectFrom('phone_numbers')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('released_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Own numbers, released ones included (GET shows `status: "released"` after a DELETE). */
export async function getPhoneNumber(d: NumbersDeps, orgId: number, id: number): Promise<PhoneNumberRow> {
  await activateDueDemoNumbers(d.db, d.clock.nowMs(), orgId);
  const row = await d.db
    .selectFrom('phone_numbers')
    .selectAll()
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  if (!row) throw numberNotFound();
  return row;
}

async function getHeld(d: NumbersDeps, orgId: number, id: number): Promise<PhoneNumberRow> {
  const row = await getPhoneNumber(d, orgId, id);
  if (row.released_at !== null) throw numberNotFound();
  return row;
}

/** GET /v1/phone-numbers/limits: what the org holds and what it may still get. */
export interface PhoneNumberLimits {
  /** Cap on numbers held by one org; null = this server sets none. */
  maxNumbers: number | null;
  /** Numbers the org holds (released ones excluded), by source. */
  used: number;
  bySource: { demo: number; voip: number };
  /** The DEMO_NUMBERS pool: its size and how many no org holds (what POST /v1/phone-numbers can hand out). */
  demoPool: { size: number; available: number };
}

export async function phoneNumberLimits(d: NumbersDeps, orgId: number): Promise<PhoneNumberLimits> {
  const counts = await d.db
    .selectFrom('phone_numbers')
    .select(['source', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('org_id', '=', orgId)
    .where('released_at', 'is', null)
    .groupBy('source')
    .execute();
  const count = (source: string) => Number(counts.find((c) => c.source === source)?.n ?? 0);
  const pool = [...new Set(d.demoNumbers)];
  const held =
    pool.length === 0
      ? 0
      : Number(
          (
            await d.db
              .selectFrom('phone_numbers')
              .select((eb) => eb.fn.countAll<number | string>().as('n'))
              .where('number', 'in', pool)
              .where('released_at', 'is', null)
              .executeTakeFirstOrThrow()
          ).n,
        );
  const bySource = { demo: count('demo'), voip: count('voip') };
  return {
    maxNumbers: null,
    used: bySource.demo + bySource.voip,
    bySource,
    demoPool: { size: pool.length, available: pool.length - held },
  };
}

/** US area code of an E.164 number (+1NXX...), else undefined. */
const areaCodeOf = (n: string): string | undefined =>
  n.startsWith('+1') && n.length === 12 ? n.slice(2, 5) : undefined;

/** Hands out a free demo number (inbound-only). 409 `demo_pool_exhausted` when none is left. */
export async function provisionDemoNumber(
  d: NumbersDeps,
  queue: JobQueue,
  orgId: number,
  body: unknown,
): Promise<PhoneNumberRow> {
  const b = (body ?? {}) as Record<string, unknown>;
  const msgs = new FieldMessages();
  if (b.area_code !== undefined && (typeof b.area_code !== 'string' || !/^[2-9][0-9]{2}$/.test(b.area_code)))
    msgs.add('area_code', 'Must be a 3-digit US area code.');
  if (b.state !== undefined && (typeof b.state !== 'string' || !/^[A-Za-z]{2}$/.test(b.state)))
    msgs.add('state', 'Must be a 2-letter state code.');
  if (b.city !== undefined && (typeof b.city !== 'string' || b.city.length > 100))
    msgs.add('city', 'Must be a city name.');
  if (!msgs.empty) throw fieldsError(msgs.fields);
  const areaCode = b.area_code as string | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const candidates = d.demoNumbers.filter((n) => areaCode === undefined || areaCodeOf(n) === areaCode);
    const held =
      candidates.length === 0
        ? []
        : await d.db
            .selectFrom('phone_numbers')
            .select('number')
            .where('number', 'in', candidates)
            .where('released_at', 'is', null)
            .execute();
    const heldSet = new Set(held.map((h) => h.number));
    const free = candidates.find((n) => !heldSet.has(n));
    if (free === undefined) {
      throw new AppError(
        'demo_pool_exhausted',
        areaCode === undefined
          ? "No demo number is available: every number of this server's DEMO_NUMBERS pool is in use."
          : `No demo number with area code ${areaCode} is available.`,
      );
    }
    const now = d.clock.nowIso();
    try {
      return await d.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('phone_numbers')
          .values(newNumberRow(orgId, free, now, null))
          .returningAll()
          .executeTakeFirstOrThrow();
        await queue.enqueue(
          NUMBER_ACTIVATE_QUEUE,
          { phoneNumberId: Number(row.id) },
          { delayMs: DEMO_ACTIVATION_MS, trx },
        );
        return row;
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Another request took this number a moment ago: pick again.
    }
  }
  throw new AppError('demo_pool_exhausted', 'No demo number could be reserved; retry.');
}

async function requireOwnAgent(
  d: NumbersDeps,
  orgId: number,
  field: string,
  value: unknown,
  msgs: FieldMessages,
): Promise<number | null | undefined> {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const id = typeof value === 'string' && /^[0-9]{1,15}$/.test(value) ? Number(value) : value;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) {
    msgs.add(field, 'Must be an agent id or null.');
    return undefined;
  }
  const agent = await d.db
    .selectFrom('agents')
    .select('id')
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!agent) msgs.add(field, 'Agent not found.');
  return id;
}

/** PATCH: inbound_agent_id, outbound_agent_id (own agents or null), label. */
export async function updatePhoneNumber(
  d: NumbersDeps,
  orgId: number,
  id: number,
  body: unknown,
): Promise<PhoneNumberRow> {
  const b = (body ?? {}) as Record<string, unknown>;
  await getHeld(d, orgId, id);
  const msgs = new FieldMessages();
  for (const k of Object.keys(b))
    if (!['inbound_agent_id', 'outbound_agent_id', 'label'].includes(k)) msgs.add(k, 'Unknown field.');
  const inbound = await requireOwnAgent(d, orgId, 'inbound_agent_id', b.inbound_agent_id, msgs);
  const outbound = await requireOwnAgent(d, orgId, 'outbound_agent_id', b.outbound_agent_id, msgs);
  let label: string | null | undefined;
  if (b.label !== undefined) {
    if (b.label === null) label = null;
    else if (typeof b.label !== 'string' || b.label.length > 100)
      msgs.add('label', 'Must be a string of at most 100 characters, or null.');
    else label = b.label;
  }
  if (!msgs.empty) throw fieldsError(msgs.fields);
  return d.db
    .updateTable('phone_numbers')
    .set({
      ...(inbound !== undefined ? { inbound_agent_id: inbound } : {}),
      ...(outbound !== undefined ? { outbound_agent_id: outbound } : {}),
      ...(label !== undefined ? { label } : {}),
      updated_at: d.clock.nowIso(),
    })
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Releases the number: `status: released`; it goes back to the pool (demo) or is free to import. */
export async function releasePhoneNumber(d: NumbersDeps, orgId: number, id: number): Promise<void> {
  await getHeld(d, orgId, id);
  const now = d.clock.nowIso();
  await d.db
    .updateTable('phone_numbers')
    .set({ status: 'released', released_at: now, updated_at: now })
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .execute();
}

/**
 * verify-voip: checks the number's trunk for real (OPTIONS + digest). Pass → `verified` +
 * `active`; otherwise `failed` (status and verification) with `voip_verification_error`.
 */
export async function verifyVoipNumber(d: NumbersDeps, orgId: number, id: number): Promise<PhoneNumberRow> {
  const number = await getHeld(d, orgId, id);
  if (number.source !== 'voip' || number.voip_connection_id === null)
    throw new AppError(
      'not_a_voip_number',
      'Only numbers imported through a VoIP connection can be verified; demo numbers need no verification.',
    );
  const conn = await d.db
    .selectFrom('voip_connections')
    .selectAll()
    .where('id', '=', number.voip_connection_id)
    .where('org_id', '=', orgId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  let error: string | null = null;
  if (!conn) error = 'The VoIP connection of this number no longer exists.';
  else if (conn.provider !== 'manual')
    error = `Provider "${conn.provider}" cannot be verified on a self-hosted server; connect the trunk with provider "manual".`;
  else {
    const creds = d.secretBox.openJson<Record<string, string>>(conn.credentials_enc);
    const trunk = manualTrunk({ sipConfig: JSON.parse(conn.sip_config) as Record<string, unknown> });
    const outcome = await safeVerify(d, {
      ...trunk,
      username: creds.username ?? '',
      password: creds.password ?? '',
      number: number.number,
    });
    if (!outcome.reachable) error = `The SIP trunk did not answer: ${outcome.detail ?? 'no response to OPTIONS'}`;
    else if (!outcome.credentialsValid)
      error = `The SIP trunk rejected the credentials: ${outcome.detail ?? 'authentication failed'}`;
    else if (!outcome.outboundAuthorized)
      error = `The SIP trunk does not authorize outbound calls: ${outcome.detail ?? ''}`.trim();
  }
  const now = d.clock.nowIso();
  if (conn)
    await d.db
      .updateTable('voip_connections')
      .set({ last_tested_at: now, updated_at: now })
      .where('id', '=', conn.id)
      .execute();
  return d.db
    .updateTable('phone_numbers')
    .set(
      error === null
        ? {
            status: 'active',
            voip_verification_status: 'verified',
            voip_verification_error: null,
            voip_last_verified_at: now,
            updated_at: now,
          }
        : { status: 'failed', voip_verification_status: 'failed', voip_verification_error: error, updated_at: now },
    )
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
