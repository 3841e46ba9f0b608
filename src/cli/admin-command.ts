import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import type { DB } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import { AppError } from '../shared/errors';
import { listAllOrgs } from '../orgs/org-queries';
import { adminCreateOrg, adminCredit } from '../orgs/operator-admin';
import {
  getOutboundAttestation,
  recordOutboundAttestation,
  revokeOutboundAttestation,
  type OutboundAttestation,
} from '../campaigns/outbound-attestation';

const attestationJson = (orgId: number, a: OutboundAttestation | null) => ({
  org_id: orgId,
  confirmed: a !== null,
  attested_by: a?.attestedBy ?? null,
  attested_at: a?.attestedAt ?? null,
  attestation_text: a?.attestationText ?? null,
});

export const ADMIN_USAGE = `Usage:
  thunderphone admin orgs create --name <name> [--balance-cents <n>] [--trial]
  thunderphone admin orgs list
  thunderphone admin credits <org_id> <amount_cents> [--description <text>]
  thunderphone admin attest <org_id> --by <name or e-mail> [--text <attestation text>]
  thunderphone admin attestation <org_id>          (show the org's outbound attestation)
  thunderphone admin unattest <org_id>             (remove it: campaigns can no longer start)

Works directly on DATABASE_URL (default sqlite:./data/thunderphone.db); output is JSON.`;

export class UsageError extends Error {}

const INT = /^-?[0-9]{1,15}$/;

function int(value: string | undefined, what: string): number {
  if (value === undefined || !INT.test(value)) throw new UsageError(`${what} must be a whole number`);
  return Number(value);
}

/** Runs `admin ...` (argv after the word `admin`) and returns the JSON result to print. */
export async function runAdminCommand(
  argv: string[],
  ctx: { db: Kysely<DB>; clock: Clock; ids: IdGenerator },
): Promise<unknown> {
  // Negative amounts (`credits 7 -500`) look like options to parseArgs: pass them after `--`.
  const negative = (a: string): boolean => /^-[0-9]+$/.test(a);
  const args = argv.some(negative) ? [...argv.filter((a) => !negative(a)), '--', ...argv.filter(negative)] : argv;
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      'balance-cents': { type: 'string' },
      trial: { type: 'boolean' },
      description: { type: 'string' },
      by: { type: 'string' },
      text: { type: 'string' },
    },
  });
  const [group, action, ...rest] = positionals;
  if (group === 'orgs' && action === 'create' && rest.length === 0) {
    if (values.name === undefined) throw new UsageError('--name is required');
    const balance = values['balance-cents'] === undefined ? 0 : int(values['balance-cents'], '--balance-cents');
    const created = await adminCreateOrg(ctx.db, ctx.clock, ctx.ids, {
      name: values.name,
      balanceCents: balance,
      trial: values.trial === true,
    });
    const o = created.org;
    return {
      org: {
        id: Number(o.id),
        name: o.name,
        trial: o.trial === 1,
        balance_cents: Number(o.balance_cents),
        created_at: o.created_at,
      },
      api_key: created.apiKey,
    };
  }
  if (group === 'orgs' && action === 'list' && rest.length === 0) {
    return (await listAllOrgs(ctx.db)).map((o) => ({
      id: Number(o.id),
      name: o.name,
      trial: o.trial === 1,
      balance_cents: Number(o.balance_cents),
      created_at: o.created_at,
    }));
  }
  if (group === 'credits' && action !== undefined && rest.length === 1) {
    const entry = await adminCredit(
      ctx.db,
      ctx.clock,
      int(action, 'org_id'),
      int(rest[0], 'amount_cents'),
      values.description,
    );
    return {
      id: Number(entry.id),
      org_id: Number(entry.org_id),
      amount_cents: Number(entry.amount_cents),
      balance_after_cents: Number(entry.balance_after_cents),
      kind: entry.kind,
      description: entry.description,
      created_at: entry.created_at,
    };
  }
  if (group === 'attest' && action !== undefined && rest.length === 0) {
    if (values.by === undefined) throw new UsageError('--by <name or e-mail> is required');
    const orgId = int(action, 'org_id');
    const a = await recordOutboundAttestation(ctx.db, ctx.clock, orgId, {
      attestedBy: values.by,
      ...(values.text !== undefined ? { text: values.text } : {}),
    });
    return attestationJson(orgId, a);
  }
  if (group === 'attestation' && action !== undefined && rest.length === 0) {
    const orgId = int(action, 'org_id');
    return attestationJson(orgId, await getOutboundAttestation(ctx.db, orgId));
  }
  if (group === 'unattest' && action !== undefined && rest.length === 0) {
    const orgId = int(action, 'org_id');
    return { org_id: orgId, removed: await revokeOutboundAttestation(ctx.db, orgId) };
  }
  throw new UsageError(group === undefined ? 'missing command' : `unknown command: ${positionals.join(' ')}`);
}

/** One line for stderr from an error of a command. */
export function describeCliError(err: unknown): string {
  if (err instanceof AppError) {
    const fields = err.fields ? Object.entries(err.fields).map(([f, m]) => `${f}: ${m.join(' ')}`) : [];
    return fields.length > 0 ? fields.join('; ') : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
