import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/tables';
import type { SecretBox } from '../shared/secret-box';
import { endpointWants, legacyEventName } from './events';

/** Where one event goes: an endpoint (with its secrets) or the org's legacy single URL. */
export interface WebhookTarget {
  kind: 'endpoint' | 'legacy';
  endpointId: string | null;
  url: string;
  /** Envelope `type` sent to this target. */
  eventType: string;
  secret: string;
  /** Previous secret still signing during a rotation grace period. */
  previousSecret: string | null;
}

type Db = Kysely<DB> | Transaction<DB>;

/** Endpoints (not disabled, not deleted) subscribed to `type`, oldest first, then the legacy URL. */
export async function targetsFor(
  db: Db,
  box: SecretBox,
  orgId: number,
  type: string,
  nowIso: string,
): Promise<WebhookTarget[]> {
  const endpoints = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('deleted_at', 'is', null)
    .where('status', '!=', 'disabled')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const out: WebhookTarget[] = [];
  for (const e of endpoints) {
    if (!endpointWants(JSON.parse(e.events) as string[], type)) continue;
    out.push({ kind: 'endpoint', endpointId: e.id, url: e.url, eventType: type, ...endpointSecrets(box, e, nowIso) });
  }
  const legacy = await legacyTarget(db, box, orgId, type);
  if (legacy) out.push(legacy);
  return out;
}

export function endpointSecrets(
  box: SecretBox,
  e: { secret_enc: string; previous_secret_enc: string | null; previous_secret_expires_at: string | null },
  nowIso: string,
): { secret: string; previousSecret: string | null } {
  const inGrace =
    e.previous_secret_enc !== null && e.previous_secret_expires_at !== null && e.previous_secret_expires_at > nowIso;
  return {
    secret: box.open(e.secret_enc),
    previousSecret: inGrace && e.previous_secret_enc !== null ? box.open(e.previous_secret_enc) : null,
  };
}

export async function legacyTarget(
  db: Db,
  box: SecretBox,
  orgId: number,
  type: string,
): Promise<WebhookTarget | undefined> {
  const org = await db
    .selectFrom('orgs')
    .select(['webhook_url', 'webhook_secret_enc'])
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (!org?.webhook_url || !org.webhook_secret_enc) return undefined;
  return {
    kind: 'legacy',
    endpointId: null,
    url: org.webhook_url,
    eventType: legacyEventName(type),
    secret: box.open(org.webhook_secret_enc),
    previousSecret: null,
  };
}
