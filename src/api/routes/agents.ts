import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { AppError, notFound, fieldsError } from '../../shared/errors';
import { ErrorBody, IdParams, errorResponses } from '../wire/common';
import { AgentBody, AgentEditQuery, AgentVersionWire, AgentWire, agentToWire, wireSettings } from '../wire/agent';
import { emptyBodyAsObject } from '../plugins/empty-body';
import { parseAgentInput } from '../../agents/agent-input';
import {
  createAgent,
  deleteAgent,
  duplicateName,
  getAgent,
  listAgentVersions,
  listAgents,
} from '../../agents/agent-service';
import {
  deployAgentDraft,
  discardAgentDraft,
  editDeploysAtOnce,
  saveAgentEdit,
  workingSettings,
} from '../../agents/agent-revisions';

const agentNotFound = () => notFound('Agent', 'agent_not_found');
const agentChanged = () => new AppError('agent_changed', 'The agent was changed or deleted by another request; retry.');
/** Deploy / discard-draft take no fields: `{}` (what the official clients send) or no body. */
const NoFields = Type.Object({}, { additionalProperties: false });

export const agentRoutes: RouteModule = (deps) => async (app) => {
  const { store, clock, voices } = deps;
  const newAgentMode = deps.config.agents.defaultDeployMode;
  const tags = ['agents'];

  app.get(
    '/agents',
    {
      schema: {
        tags,
        summary: 'List agents (optionally filtered by exact name)',
        querystring: Type.Object({ name: Type.Optional(Type.String({ maxLength: 255 })) }),
        response: { 200: Type.Array(AgentWire), ...errorResponses },
      },
    },
    async (req) => (await listAgents(store.db, req.auth.orgId, req.query)).map(agentToWire),
  );

  app.post(
    '/agents',
    { schema: { tags, summary: 'Create an agent', body: AgentBody, response: { 201: AgentWire, ...errorResponses } } },
    async (req, reply) => {
      const parsed = parseAgentInput(req.body, voices, deps.config.allowPrivateTargets);
      if (!parsed.ok) throw fieldsError(parsed.fields);
      const agent = await createAgent(store.db, clock, req.auth.orgId, parsed.settings, newAgentMode);
      return reply.status(201).send(agentToWire(agent));
    },
  );

  app.get(
    '/agents/:id',
    {
      schema: {
        tags,
        summary: 'Get an agent: the deployed revision (version, deployed_at) and the pending draft (or null)',
        params: IdParams,
        response: { 200: AgentWire, ...errorResponses },
      },
    },
    async (req) => {
      const agent = await getAgent(store.db, req.auth.orgId, Number(req.params.id));
      if (!agent) throw agentNotFound();
      return agentToWire(agent);
    },
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/agents/:id',
      schema: {
        tags,
        summary:
          method === 'PUT'
            ? 'Replace an agent (name, prompt, voice required; other fields reset to defaults)'
            : 'Update some fields of an agent',
        description:
          'Edits the working copy (the draft if one is pending, else the deployed settings). With deploy_mode ' +
          '"auto" (new agents, until a client uses deploy, discard-draft or ?draft=true) the result is deployed ' +
          'at once as a new revision; with "manual" it is stored as the draft, which calls do not use until ' +
          'POST /v1/agents/{id}/deploy. ?draft=true / ?draft=false choose per request.',
        params: IdParams,
        querystring: AgentEditQuery,
        body: AgentBody,
        response: { 200: AgentWire, ...errorResponses, 409: ErrorBody },
      },
      handler: async (req) => {
        const current = await getAgent(store.db, req.auth.orgId, Number(req.params.id));
        if (!current) throw agentNotFound();
        const base = method === 'PATCH' ? workingSettings(current) : undefined;
        const parsed = parseAgentInput(req.body, voices, deps.config.allowPrivateTargets, base);
        if (!parsed.ok) throw fieldsError(parsed.fields);
        const saved = await saveAgentEdit(store.db, clock, current, parsed.settings, {
          deploy: editDeploysAtOnce(current, req.query.draft),
          manual: req.query.draft === true,
        });
        if (!saved) throw agentChanged();
        return agentToWire(saved);
      },
    });
  }

  app.delete(
    '/agents/:id',
    {
      schema: {
        tags,
        summary: 'Delete an agent (phone numbers using it lose their inbound/outbound agent)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(await deleteAgent(store.db, clock, req.auth.orgId, Number(req.params.id)))) throw agentNotFound();
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/agents/:id/duplicate',
    {
      schema: {
        tags,
        summary: 'Copy the deployed revision of an agent as a new agent named "<name> (copy)" (its revision 1)',
        params: IdParams,
        response: { 201: AgentWire, ...errorResponses },
      },
    },
    async (req, reply) => {
      const agent = await getAgent(store.db, req.auth.orgId, Number(req.params.id));
      if (!agent) throw agentNotFound();
      const copy = await createAgent(
        store.db,
        clock,
        req.auth.orgId,
        { ...agent, name: duplicateName(agent.name) },
        newAgentMode,
      );
      return reply.status(201).send(agentToWire(copy));
    },
  );

  app.get(
    '/agents/:id/versions',
    {
      schema: {
        tags,
        summary: 'Every deployed revision (its settings snapshot), newest first',
        params: IdParams,
        response: { 200: Type.Array(AgentVersionWire), ...errorResponses },
      },
    },
    async (req) => {
      const id = Number(req.params.id);
      if (!(await getAgent(store.db, req.auth.orgId, id))) throw agentNotFound();
      const versions = await listAgentVersions(store.db, req.auth.orgId, id);
      return versions.map((v) => ({ ...v, snapshot: wireSettings(v.snapshot) }));
    },
  );

  const draftAction = (
    path: 'deploy' | 'discard-draft',
    summary: string,
    act: typeof deployAgentDraft | typeof discardAgentDraft,
  ) =>
    app.post(
      `/agents/:id/${path}`,
      {
        preValidation: emptyBodyAsObject,
        schema: {
          tags,
          summary,
          params: IdParams,
          body: NoFields,
          response: { 200: AgentWire, ...errorResponses, 409: ErrorBody },
        },
      },
      async (req) => {
        const current = await getAgent(store.db, req.auth.orgId, Number(req.params.id));
        if (!current) throw agentNotFound();
        const done = await act(store.db, clock, current);
        if (!done) throw agentChanged();
        return agentToWire(done);
      },
    );
  draftAction(
    'deploy',
    'Deploy the draft: it becomes the live revision (version + 1) for calls placed or answered from now on; calls already placed keep theirs. Without a draft nothing changes. The agent switches to deploy_mode "manual".',
    deployAgentDraft,
  );
  draftAction(
    'discard-draft',
    'Drop the draft; the deployed revision stays. The agent switches to deploy_mode "manual".',
    discardAgentDraft,
  );
};
