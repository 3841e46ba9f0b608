import type { Kysely, Transaction, Updateable } from 'kysely';
import type { AgentsTable, DB } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { AgentSettings } from './agent-input';
import {
  agentFromRow,
  getAgent,
  recordDeployedRevision,
  sameSettings,
  settingsColumns,
  settingsOf,
  type AgentRecord,
  type DeployMode,
} from './agent-service';

/**
 * Drafts and deploys (thunderphone-api.md §3.7). The agents row IS the deployed revision (calls
 * read it when they are placed or answered and keep that copy in calls.config, so a deploy never
 * changes a call already placed); `draft` holds pending settings on top of it.
 *
 * An edit (PATCH/PUT) changes the working copy — the draft when one is pending, else the deployed
 * settings — and then either deploys it at once or stores it as the draft:
 *   `?draft=true`  → draft (and the agent's deploy_mode becomes `manual`)
 *   `?draft=false` → deployed at once
 *   neither        → by deploy_mode: `auto` (every agent until a client uses the draft workflow,
 *                    so clients that never call deploy keep working) deploys, `manual` drafts.
 * POST .../deploy and .../discard-draft switch the agent to `manual`. A deploy whose settings
 * equal the live ones makes no revision; a draft equal to the live settings is no draft.
 *
 * Writes are guarded on the state read before (version + draft), so a concurrent change makes
 * the later writer get `undefined` (the route answers 409 `agent_changed`) instead of losing it.
 */

/** The settings an edit starts from: the pending draft, else the deployed revision. */
export const workingSettings = (agent: AgentRecord): AgentSettings => agent.draft?.settings ?? agent;

/** Whether an edit deploys at once: `draftParam` (the `?draft=` of the request) wins over the agent's mode. */
export function editDeploysAtOnce(agent: AgentRecord, draftParam: boolean | undefined): boolean {
  return draftParam === undefined ? agent.deploy_mode === 'auto' : !draftParam;
}

type Trx = Transaction<DB>;

const draftText = (agent: AgentRecord): string | null =>
  agent.draft === null ? null : JSON.stringify(settingsOf(agent.draft.settings));

/**
 * One guarded UPDATE of the agent read as `seen` (same version, same draft, not deleted);
 * undefined when another request changed it in between.
 */
async function guardedUpdate(
  trx: Trx,
  seen: AgentRecord,
  set: Updateable<AgentsTable>,
): Promise<AgentRecord | undefined> {
  const draft = draftText(seen);
  const row = await trx
    .updateTable('agents')
    .set(set)
    .where('id', '=', seen.id)
    .where('org_id', '=', seen.org_id)
    .where('deleted_at', 'is', null)
    .where('version', '=', seen.version)
    .where((eb) => (draft === null ? eb('draft', 'is', null) : eb('draft', '=', draft)))
    .returningAll()
    .executeTakeFirst();
  return row ? agentFromRow(row) : undefined;
}

/** Makes `settings` the deployed revision (a new one only if they differ) and clears the draft. */
async function deployIn(
  trx: Trx,
  clock: Clock,
  seen: AgentRecord,
  settings: AgentSettings,
  mode: DeployMode,
): Promise<AgentRecord | undefined> {
  const changed = !sameSettings(seen, settings);
  if (!changed && seen.draft === null && seen.deploy_mode === mode) return seen;
  const now = clock.nowIso();
  const updated = await guardedUpdate(trx, seen, {
    ...(changed ? { ...settingsColumns(settings), version: seen.version + 1, deployed_at: now } : {}),
    draft: null,
    draft_updated_at: null,
    deploy_mode: mode,
    updated_at: now,
  });
  if (updated && changed) await recordDeployedRevision(trx, updated);
  return updated;
}

/** Stores `settings` as the draft (none when they equal the deployed settings). */
async function draftIn(
  trx: Trx,
  clock: Clock,
  seen: AgentRecord,
  settings: AgentSettings,
  mode: DeployMode,
): Promise<AgentRecord | undefined> {
  const pending = sameSettings(seen, settings) ? null : JSON.stringify(settingsOf(settings));
  if (pending === draftText(seen) && seen.deploy_mode === mode) return seen;
  const now = clock.nowIso();
  return guardedUpdate(trx, seen, {
    draft: pending,
    draft_updated_at: pending === null ? null : now,
    deploy_mode: mode,
    updated_at: now,
  });
}

/**
 * Runs `write` in one transaction on the agent as it is now; with `seen`, only if it is still the
 * agent the request read (an edit was computed from it). Undefined: missing, deleted or changed.
 */
async function withCurrent(
  db: Kysely<DB>,
  agent: { org_id: number; id: number },
  seen: AgentRecord | undefined,
  write: (trx: Trx, current: AgentRecord) => Promise<AgentRecord | undefined>,
): Promise<AgentRecord | undefined> {
  return db.transaction().execute(async (trx) => {
    const current = await getAgent(trx, agent.org_id, agent.id);
    if (!current) return undefined;
    if (seen && (current.version !== seen.version || draftText(current) !== draftText(seen))) return undefined;
    return write(trx, current);
  });
}

/**
 * Saves an edit of the agent `seen` (as read by the request; `settings` = the parsed working copy):
 * deployed at once when `deploy`, else written to the draft. `manual` switches the agent to the
 * draft workflow (`?draft=true`). Undefined: the agent changed or was deleted meanwhile.
 */
export async function saveAgentEdit(
  db: Kysely<DB>,
  clock: Clock,
  seen: AgentRecord,
  settings: AgentSettings,
  options: { deploy: boolean; manual: boolean },
): Promise<AgentRecord | undefined> {
  return withCurrent(db, seen, seen, (trx, current) => {
    const mode: DeployMode = options.manual ? 'manual' : current.deploy_mode;
    return options.deploy
      ? deployIn(trx, clock, current, settings, mode)
      : draftIn(trx, clock, current, settings, mode);
  });
}

/**
 * POST .../deploy: the draft becomes the deployed revision (version + 1, listed in /versions);
 * without a draft nothing changes. Either way the agent now uses the draft workflow (`manual`).
 */
export async function deployAgentDraft(
  db: Kysely<DB>,
  clock: Clock,
  agent: { org_id: number; id: number },
): Promise<AgentRecord | undefined> {
  return withCurrent(db, agent, undefined, (trx, current) =>
    deployIn(trx, clock, current, workingSettings(current), 'manual'),
  );
}

/** POST .../discard-draft: drops the draft (the deployed revision stays); the agent becomes `manual`. */
export async function discardAgentDraft(
  db: Kysely<DB>,
  clock: Clock,
  agent: { org_id: number; id: number },
): Promise<AgentRecord | undefined> {
  return withCurrent(db, agent, undefined, (trx, current) => draftIn(trx, clock, current, current, 'manual'));
}
