import { sql } from 'kysely';
import { AppError, notFound, fieldsError } from '../shared/errors';
import type { Row } from '../store/tables';
import { isUniqueViolation } from '../store/unique-violation';
import { FieldMessages } from '../agents/call-config';
import { VERIFICATION_EVIDENCE_TTL_MS, type NumbersDeps } from './numbers-deps';
import { SETUP_METHODS, manualTrunk, parseVoipSettings, voipFingerprint, type VoipSettings } from './voip-input';
import type { TrunkCheckOutcome } from './trunk-verifier-port';
import { newNumberRow } from './new-number-row';

export interface VoipConnectionView {
  row: Row<'voip_connections'>;
  numbersImported: number;
}

export interface VoipTestResult {
  status: 'pass' | 'fail';
  verification_evidence_id: string;
  checks: { credentials_valid: boolean; inbound_reachable: boolean; outbound_authorized: boolean };
  suggested_connection_name: string;
  detail: string;
}

export const connectionNotFound = () => notFound('VoIP connection', 'voip_connection_not_found');

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw fieldsError({ non_field_errors: ['Expected a JSON object.'] });
  return body as Record<string, unknown>;
}

const NOT_CHECKED_DETAIL = (provider: string) =>
  `Provider "${provider}" is stored but not checked here: a self-hosted server verifies only "manual" SIP trunks (real SIP OPTIONS + digest check). Use provider "manual" with your provider's SIP trunk host and credentials.`;

/** Runs the real trunk check (manual) and records the evidence. Other providers always "fail". */
export async function testVoipConnection(d: NumbersDeps, orgId: number, body: unknown): Promise<VoipTestResult> {
  const b = asObject(body);
  const msgs = new FieldMessages();
  for (const k of Object.keys(b))
    if (!['provider', 'credentials', 'sip_config'].includes(k)) msgs.add(k, 'Unknown field.');
  const settings = parseVoipSettings(b, msgs);
  if (!msgs.empty) throw fieldsError(msgs.fields);
  let outcome: TrunkCheckOutcome;
  if (settings.provider === 'manual') {
    const trunk = manualTrunk(settings);
    outcome = await safeVerify(d, {
      ...trunk,
      username: settings.credentials.username ?? '',
      password: settings.credentials.password ?? '',
    });
  } else {
    outcome = {
      reachable: false,
      credentialsValid: false,
      outboundAuthorized: false,
      detail: NOT_CHECKED_DETAIL(settings.provider),
    };
  }
  const pass = outcome.reachable && outcome.credentialsValid && outcome.outboundAuthorized;
  const checks = {
    credentials_valid: outcome.credentialsValid,
    inbound_reachable: outcome.reachable,
    outbound_authorized: outcome.outboundAuthorized,
  };
  const id = d.ids.token('vev_', 16);
  const nowMs = d.clock.nowMs();
  await d.db
    .insertInto('voip_verifications')
    .values({
      id,
      org_id: orgId,
      provider: settings.provider,
      status: pass ? 'pass' : 'fail',
      checks: JSON.stringify(checks),
      fingerprint: voipFingerprint(d.secretKey, settings),
      created_at: new Date(nowMs).toISOString(),
      expires_at: new Date(nowMs + VERIFICATION_EVIDENCE_TTL_MS).toISOString(),
    })
    .execute();
  return {
    status: pass ? 'pass' : 'fail',
    verification_evidence_id: id,
    checks,
    suggested_connection_name: suggestName(settings),
    detail: outcome.detail ?? (pass ? 'trunk reachable and credentials accepted' : 'trunk check failed'),
  };
}

export async function safeVerify(
  d: NumbersDeps,
  input: Parameters<NumbersDeps['trunkVerifier']['verify']>[0],
): Promise<TrunkCheckOutcome> {
  try {
    return await d.trunkVerifier.verify(input);
  } catch (err) {
    return {
      reachable: false,
      credentialsValid: false,
      outboundAuthorized: false,
      detail: `verification error: ${(err as Error).message}`,
    };
  }
}

function suggestName(s: VoipSettings): string {
  if (s.provider === 'manual') return `SIP trunk: ${String(s.sipConfig.host)}`;
  const label = s.provider.charAt(0).toUpperCase() + s.provider.slice(1);
  const domain = typeof s.sipConfig.domain === 'string' ? ` ${s.sipConfig.domain}` : '';
  return `${label}:${domain || ' connection'}`;
}

/** The evidence must be a passing, unexpired test of this org for exactly these settings. */
async function requireEvidence(
  d: NumbersDeps,
  orgId: number,
  evidenceId: unknown,
  settings: VoipSettings,
): Promise<void> {
  if (typeof evidenceId !== 'string' || evidenceId === '')
    throw fieldsError({
      verification_evidence_id: ['Required: run POST /v1/voip-connections/test with these credentials first.'],
    });
  const ev = await d.db
    .selectFrom('voip_verifications')
    .selectAll()
    .where('id', '=', evidenceId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  const problem = !ev
    ? 'Unknown verification_evidence_id.'
    : ev.status !== 'pass'
      ? 'This verification did not pass; fix the trunk settings and test again.'
      : Date.parse(ev.expires_at) <= d.clock.nowMs()
        ? 'This verification has expired; test again.'
        : ev.fingerprint !== voipFingerprint(d.secretKey, settings)
          ? 'This verification was made with other credentials or sip_config; test these settings.'
          : undefined;
  if (problem) throw fieldsError({ verification_evidence_id: [problem] });
}

async function countImported(d: NumbersDeps, connectionIds: number[]): Promise<Map<number, number>> {
  if (connectionIds.length === 0) return new Map();
  const rows = await d.db
    .selectFrom('phone_numbers')
    .select(['voip_connection_id', sql<number>`count(*)`.as('n')])
    .where('voip_connection_id', 'in', connectionIds)
    .where('released_at', 'is', null)
    .groupBy('voip_connection_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.voip_connection_id), Number(r.n)]));
}

export async function listVoipConnections(d: NumbersDeps, orgId: number): Promise<VoipConnectionView[]> {
  const rows = await d.db
    .selectFrom('voip_connections')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('deleted_at', 'is', null)
    .orderBy('id', 'desc')
    .execute();
  const counts = await countImported(
    d,
    rows.map((r) => Number(r.id)),
  );
  return rows.map((row) => ({ row, numbersImported: counts.get(Number(row.id)) ?? 0 }));
}

export async function getVoipConnectionRow(
  d: NumbersDeps,
  orgId: number,
  id: number,
): Promise<Row<'voip_connections'>> {
  const row = await d.db
    .selectFrom('voip_connections')
    .selectAll()
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw connectionNotFound();
  return row;
}

export async function getVoipConnection(d: NumbersDeps, orgId: number, id: number): Promise<VoipConnectionView> {
  const row = await getVoipConnectionRow(d, orgId, id);
  return { row, numbersImported: (await countImported(d, [id])).get(id) ?? 0 };
}

function parseName(v: unknown, msgs: FieldMessages): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') msgs.add('name', 'This field may not be blank.');
  else if (v.length > 120) msgs.add('name', 'Ensure this field has no more than 120 characters.');
  else return v.trim();
  return undefined;
}

/**
 * Creates a connection. `manual` needs a passing verification of the same settings and starts
 * `connected`; other providers are stored as given and stay `pending` (not checked here).
 */
export async function createVoipConnection(d: NumbersDeps, orgId: number, body: unknown): Promise<VoipConnectionView> {
  const b = asObject(body);
  const msgs = new FieldMessages();
  const allowed = ['name', 'provider', 'setup_method', 'credentials', 'sip_config', 'verification_evidence_id'];
  for (const k of Object.keys(b)) if (!allowed.includes(k)) msgs.add(k, 'Unknown field.');
  const settings = parseVoipSettings(b, msgs);
  const name = parseName(b.name, msgs);
  const setup = b.setup_method ?? (settings.provider === 'manual' ? 'manual' : 'api_key');
  if (!(SETUP_METHODS as readonly unknown[]).includes(setup))
    msgs.add('setup_method', `Must be one of ${SETUP_METHODS.join(', ')}.`);
  else if (settings.provider === 'manual' && setup !== 'manual')
    msgs.add('setup_method', 'Provider "manual" uses setup_method "manual".');
  if (!msgs.empty) throw fieldsError(msgs.fields);
  if (settings.provider === 'manual') await requireEvidence(d, orgId, b.verification_evidence_id, settings);
  const now = d.clock.nowIso();
  const row = await d.db
    .insertInto('voip_connections')
    .values({
      org_id: orgId,
      name: name ?? suggestName(settings),
      provider: settings.provider,
      setup_method: String(setup),
      status: settings.provider === 'manual' ? 'connected' : 'pending',
      inferred_name: name === undefined ? 1 : 0,
      sip_config: JSON.stringify(settings.sipConfig),
      credentials_enc: d.secretBox.sealJson(settings.credentials),
      last_tested_at: settings.provider === 'manual' ? now : null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, numbersImported: 0 };
}

/** Rename, or rotate credentials/sip_config (manual: with fresh evidence for the new settings). */
export async function updateVoipConnection(
  d: NumbersDeps,
  orgId: number,
  id: number,
  body: unknown,
): Promise<VoipConnectionView> {
  const b = asObject(body);
  const current = await getVoipConnectionRow(d, orgId, id);
  const msgs = new FieldMessages();
  for (const k of Object.keys(b))
    if (!['name', 'credentials', 'sip_config', 'verification_evidence_id'].includes(k)) msgs.add(k, 'Unknown field.');
  const name = parseName(b.name, msgs);
  const rotating = b.credentials !== undefined || b.sip_config !== undefined;
  let settings: VoipSettings | undefined;
  if (rotating) {
    const merged = {
      provider: current.provider,
      credentials: b.credentials ?? d.secretBox.openJson<Record<string, string>>(current.credentials_enc),
      sip_config: b.sip_config ?? JSON.parse(current.sip_config),
    };
    settings = parseVoipSettings(merged, msgs);
  }
  if (!msgs.empty) throw fieldsError(msgs.fields);
  if (settings && settings.provider === 'manual') await requireEvidence(d, orgId, b.verification_evidence_id, settings);
  const now = d.clock.nowIso();
  const row = await d.db
    .updateTable('voip_connections')
    .set({
      ...(name !== undefined ? { name, inferred_name: 0 } : {}),
      ...(settings
        ? {
            sip_config: JSON.stringify(settings.sipConfig),
            credentials_enc: d.secretBox.sealJson(settings.credentials),
            ...(settings.provider === 'manual' ? { status: 'connected', last_tested_at: now } : {}),
          }
        : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, numbersImported: (await countImported(d, [id])).get(id) ?? 0 };
}

/** Deletes the connection and releases its numbers (they cannot call without the trunk). */
export async function deleteVoipConnection(d: NumbersDeps, orgId: number, id: number): Promise<void> {
  await getVoipConnectionRow(d, orgId, id);
  const now = d.clock.nowIso();
  await d.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('voip_connections')
      .set({ deleted_at: now, updated_at: now })
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .execute();
    await trx
      .updateTable('phone_numbers')
      .set({ status: 'released', released_at: now, updated_at: now })
      .where('voip_connection_id', '=', id)
      .where('org_id', '=', orgId)
      .where('released_at', 'is', null)
      .execute();
  });
}

const E164 = /^\+[1-9][0-9]{7,14}$/;
export const MAX_IMPORT = 100;

/** Imports numbers of the trunk: `source: voip`, `provisioning`, `unverified` until verify-voip. */
export async function importNumbers(
  d: NumbersDeps,
  orgId: number,
  connectionId: number,
  body: unknown,
): Promise<Row<'phone_numbers'>[]> {
  const b = asObject(body);
  await getVoipConnectionRow(d, orgId, connectionId);
  const msgs = new FieldMessages();
  for (const k of Object.keys(b)) if (k !== 'numbers') msgs.add(k, 'Unknown field.');
  const numbers = b.numbers;
  if (!Array.isArray(numbers) || numbers.length === 0)
    msgs.add('numbers', 'Expected a non-empty list of E.164 numbers.');
  else if (numbers.length > MAX_IMPORT) msgs.add('numbers', `At most ${MAX_IMPORT} numbers per request.`);
  else {
    const seen = new Set<string>();
    numbers.forEach((n, i) => {
      if (typeof n !== 'string' || !E164.test(n))
        msgs.add(`numbers.${i}`, 'Enter a valid E.164 phone number, e.g. +15551234567.');
      else if (seen.has(n)) msgs.add(`numbers.${i}`, `Duplicate number ${n} in this request.`);
      else seen.add(n);
    });
  }
  if (!msgs.empty) throw fieldsError(msgs.fields);
  const list = numbers as string[];
  const reserved = list.filter((n) => d.demoNumbers.includes(n));
  if (reserved.length > 0)
    throw new AppError(
      'number_unavailable',
      `${reserved.join(', ')} belongs to this server's demo number pool and cannot be imported.`,
      { details: { numbers: reserved } },
    );
  const held = await d.db
    .selectFrom('phone_numbers')
    .select(['number', 'org_id'])
    .where('number', 'in', list)
    .where('released_at', 'is', null)
    .execute();
  const mine = held.filter((h) => Number(h.org_id) === orgId).map((h) => h.number);
  if (mine.length > 0)
    throw new AppError('number_already_imported', `Already in this organization: ${mine.join(', ')}.`, {
      details: { numbers: mine },
    });
  const taken = held.map((h) => h.number);
  if (taken.length > 0)
    throw new AppError(
      'number_unavailable',
      `Already registered on this server by another organization: ${taken.join(', ')}.`,
      { details: { numbers: taken } },
    );
  const now = d.clock.nowIso();
  try {
    return await d.db.transaction().execute(async (trx) => {
      const out: Row<'phone_numbers'>[] = [];
      for (const number of list) {
        out.push(
          await trx
            .insertInto('phone_numbers')
            .values(newNumberRow(orgId, number, now, connectionId))
            .returningAll()
            .executeTakeFirstOrThrow(),
        );
      }
      return out;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError(
        'number_unavailable',
        'One of these numbers was just registered by another request; list your numbers and retry.',
      );
    throw err;
  }
}

/** No provider API is called from a self-hosted server, so no connection can list numbers. */
export async function availableNumbers(d: NumbersDeps, orgId: number, connectionId: number): Promise<never> {
  const row = await getVoipConnectionRow(d, orgId, connectionId);
  throw new AppError(
    'provider_cannot_list_numbers',
    row.provider === 'manual'
      ? 'A manual SIP trunk has no API to list its numbers; import them with POST /v1/voip-connections/{id}/import-numbers {"numbers": [...]}.'
      : `Listing numbers through the ${row.provider} API is not available on a self-hosted server; import them with POST /v1/voip-connections/{id}/import-numbers.`,
  );
}
