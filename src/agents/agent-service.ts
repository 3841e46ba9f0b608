import type { Kysely, Transaction } from 'kysely';
import type { DB, Row } from '../store/tables';
import type { Clock } from '../shared/clock';
import { thinkingLevelOf, type Product } from './products';
import type { AgentSettings, SpeakOrder, VoicemailAction } from './agent-input';
import type { PostCallAnalysisSettings } from '../analysis/analysis-settings';
import type { BargeInOverrides } from './barge-in-settings';
import type { CallAgentConfig } from './call-config';
import type { InlineTool } from './inline-tool';

/**
 * How an edit (PATCH/PUT) of the agent lands (agents/agent-revisions.ts): `auto` = deployed at
 * once (agents whose clients never used the draft endpoints), `manual` = written to the draft.
 */
export type DeployMode = 'auto' | 'manual';

/** Settings not yet deployed; always on top of the agent's deployed `version`. */
export interface AgentDraft {
  settings: AgentSettings;
  updated_at: string;
}

/** A stored agent: the deployed (live) revision's settings + identity, and its pending draft. */
export interface AgentRecord extends AgentSettings {
  id: number;
  org_id: number;
  /** The deployed revision: what calls placed or answered now use. */
  version: number;
  /** When `version` went live. */
  deployed_at: string;
  deploy_mode: DeployMode;
  draft: AgentDraft | null;
  created_at: string;
  /** Last change of the agent, its draft included. */
  updated_at: string;
}

export interface AgentVersion {
  version: number;
  created_at: string;
  snapshot: AgentSettings;
}

type Db = Kysely<DB> | Transaction<DB>;

export function agentFromRow(row: Row<'agents'>): AgentRecord {
  const product = row.product as Product;
  return {
    id: Number(row.id),
    org_id: Number(row.org_id),
    name: row.name,
    prompt: row.prompt,
    voice: row.voice,
    product,
    thinking_level: thinkingLevelOf(product),
    background_track: row.background_track,
    acknowledgement_prompt_mode: row.acknowledgement_prompt_mode === 'manual' ? 'manual' : 'auto',
    acknowledgement_prompt: row.acknowledgement_prompt,
    inbound_speak_order: row.inbound_speak_order as SpeakOrder,
    outbound_speak_order: row.outbound_speak_order as SpeakOrder,
    max_hold_seconds: row.max_hold_seconds,
    widget_enabled: row.widget_enabled === 1,
    primary_language: row.primary_language,
    additional_languages: JSON.parse(row.additional_languages) as string[],
    tools: JSON.parse(row.tools) as InlineTool[],
    integration_ids: JSON.parse(row.integration_ids) as string[],
    voicemail_action: (row.voicemail_action ?? 'continue') as VoicemailAction,
    voicemail_message: row.voicemail_message ?? '',
    post_call_analysis:
      row.post_call_analysis === null || row.post_call_analysis === undefined
        ? null
        : (JSON.parse(row.post_call_analysis) as PostCallAnalysisSettings),
    barge_in:
      row.barge_in === null || row.barge_in === undefined ? null : (JSON.parse(row.barge_in) as BargeInOverrides),
    version: row.version,
    deployed_at: row.deployed_at ?? row.updated_at,
    deploy_mode: row.deploy_mode === 'manual' ? 'manual' : 'auto',
    draft:
      row.draft === null
        ? null
        : { settings: JSON.parse(row.draft) as AgentSettings, updated_at: row.draft_updated_at ?? row.updated_at },
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The call-time configuration of a saved agent (what a call runs with). */
export function agentCallConfig(agent: AgentSettings): CallAgentConfig {
  return {
    prompt: agent.prompt,
    voice: agent.voice,
    product: agent.product,
    thinking_level: agent.thinking_level,
    background_track: agent.background_track,
    acknowledgement_prompt_mode: agent.acknowledgement_prompt_mode,
    acknowledgement_prompt: agent.acknowledgement_prompt,
    tools: agent.tools,
  };
}

/** Exactly the settings of `a` (a revision's content: what a snapshot and a draft store). */
export function settingsOf(a: AgentSettings): AgentSettings {
  return {
    name: a.name,
    ...agentCallConfig(a),
    inbound_speak_order: a.inbound_speak_order,
    outbound_speak_order: a.outbound_speak_order,
    max_hold_seconds: a.max_hold_seconds,
    widget_enabled: a.widget_enabled,
    primary_language: a.primary_language,
    additional_languages: a.additional_languages,
    integration_ids: a.integration_ids,
    voicemail_action: a.voicemail_action ?? 'continue',
    voicemail_message: a.voicemail_message ?? '',
    post_call_analysis: a.post_call_analysis ?? null,
    barge_in: a.barge_in ?? null,
  };
}

/** Two settings objects that would make the same revision. */
export const sameSettings = (a: AgentSettings, b: AgentSettings): boolean =>
  JSON.stringify(settingsOf(a)) === JSON.stringify(settingsOf(b));

/** The `agents` columns of a revision's settings. */
export function settingsColumns(s: AgentSettings) {
  return {
    name: s.name,
    prompt: s.prompt,
    voice: s.voice,
    product: s.product,
    background_track: s.background_track,
    acknowledgement_prompt_mode: s.acknowledgement_prompt_mode,
    acknowledgement_prompt: s.acknowledgement_prompt,
    inbound_speak_order: s.inbound_speak_order,
    outbound_speak_order: s.outbound_speak_order,
    max_hold_seconds: s.max_hold_seconds,
    widget_enabled: s.widget_enabled ? 1 : 0,
    primary_language: s.primary_language,
    additional_languages: JSON.stringify(s.additional_languages),
    tools: JSON.stringify(s.tools),
    integration_ids: JSON.stringify(s.integration_ids),
    voicemail_action: s.voicemail_action ?? 'continue',
    voicemail_message: s.voicemail_message ?? '',
    post_call_analysis: s.post_call_analysis ? JSON.stringify(s.post_call_analysis) : null,
    barge_in: s.barge_in ? JSON.stringify(s.barge_in) : null,
  };
}

/** Records the agent's current deployed revision in `agent_versions` (GET .../versions). */
export async function recordDeployedRevision(trx: Db, agent: AgentRecord): Promise<void> {
  await trx
    .insertInto('agent_versions')
    .values({
      agent_id: agent.id,
      org_id: agent.org_id,
      version: agent.version,
      snapshot: JSON.stringify(settingsOf(agent)),
      created_at: agent.updated_at,
    })
    .execute();
}

/** Agents of one org (deleted ones excluded), oldest first; `name` filters on the exact name. */
export async function listAgents(db: Db, orgId: number, filter: { name?: string } = {}): Promise<AgentRecord[]> {
  let q = db.selectFrom('agents').selectAll().where('org_id', '=', orgId).where('deleted_at', 'is', null);
  if (filter.name !== undefined) q = q.where('name', '=', filter.name);
  const rows = await q.orderBy('id', 'asc').execute();
  return rows.map(agentFromRow);
}

/** One agent of the org, or undefined (also for another org's agent or a deleted one). */
export async function getAgent(db: Db, orgId: number, id: number): Promise<AgentRecord | undefined> {
  const row = await db
    .selectFrom('agents')
    .selectAll()
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row ? agentFromRow(row) : undefined;
}

/** Creates an agent as deployed revision 1 (usable by calls at once) and records that revision. */
export async function createAgent(
  db: Kysely<DB>,
  clock: Clock,
  orgId: number,
  settings: AgentSettings,
  deployMode: DeployMode = 'auto',
): Promise<AgentRecord> {
  const now = clock.nowIso();
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('agents')
      .values({
        org_id: orgId,
        ...settingsColumns(settings),
        version: 1,
        deployed_at: now,
        deploy_mode: deployMode,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const agent = agentFromRow(row);
    await recordDeployedRevision(trx, agent);
    return agent;
  });
}

/**
 * Soft-deletes an agent. Phone numbers that used it as inbound or outbound agent lose that
 * reference (they answer with no agent until one is set); past calls keep their agent_id.
 */
export async function deleteAgent(db: Kysely<DB>, clock: Clock, orgId: number, id: number): Promise<boolean> {
  const now = clock.nowIso();
  return db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('agents')
      .set({ deleted_at: now, updated_at: now })
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return false;
    await trx
      .updateTable('phone_numbers')
      .set({ inbound_agent_id: null, updated_at: now })
      .where('org_id', '=', orgId)
      .where('inbound_agent_id', '=', id)
      .execute();
    await trx
      .updateTable('phone_numbers')
      .set({ outbound_agent_id: null, updated_at: now })
      .where('org_id', '=', orgId)
      .where('outbound_agent_id', '=', id)
      .execute();
    return true;
  });
}

/** Every deployed revision (its settings snapshot), newest first. */
export async function listAgentVersions(db: Db, orgId: number, id: number): Promise<AgentVersion[]> {
  const rows = await db
    .selectFrom('agent_versions')
    .selectAll()
    .where('agent_id', '=', id)
    .where('org_id', '=', orgId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({
    version: r.version,
    created_at: r.created_at,
    snapshot: JSON.parse(r.snapshot) as AgentSettings,
  }));
}

export const duplicateName = (name: string): string => {
  const suffix = ' (copy)';
  return name.length + suffix.length <= 255 ? name + suffix : name.slice(0, 255 - suffix.length) + suffix;
};
