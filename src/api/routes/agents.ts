import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { AppError, notFound, fieldsError } from '../../shared/errors';
import { IdParams, errorResponses } from '../wire/common';
import { AgentBody, AgentVersionWire, AgentWire, agentToWire } from '../wire/agent';
import { parseAgentInput } from '../../agents/agent-input';
import {
  createAgent,
  deleteAgent,
  duplicateName,
  getAgent,
  listAgentVersions,
  listAgents,
  updateAgent,
} from '../../agents/agent-service';

const agentNotFound = () => notFound('Agent', 'agent_not_found');

export const agentRoutes: RouteModule = (deps) => async (app) => {
  const { store, clock, voices } = deps;
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
      const agent = await createAgent(store.db, clock, req.auth.orgId, parsed.settings);
      return reply.status(201).send(agentToWire(agent));
    },
  );

  app.get(
    '/agents/:id',
    { schema: { tags, summary: 'Get an agent', params: IdParams, response: { 200: AgentWire, ...errorResponses } } },
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
        params: IdParams,
        body: AgentBody,
        response: { 200: AgentWire, ...errorResponses },
      },
      handler: async (req) => {
        const current = await getAgent(store.db, req.auth.orgId, Number(req.params.id));
        if (!current) throw agentNotFound();
        const parsed = parseAgentInput(
          req.body,
          voices,
          deps.config.allowPrivateTargets,
          method === 'PATCH' ? current : undefined,
        );
        if (!parsed.ok) throw fieldsError(parsed.fields);
        const updated = await updateAgent(store.db, clock, req.auth.orgId, current.id, parsed.settings);
        if (!updated)
          throw new AppError('agent_changed', 'The agent was changed or deleted by another request; retry.');
        return agentToWire(updated);
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
        summary: 'Copy an agent as a new agent named "<name> (copy)"',
        params: IdParams,
        response: { 201: AgentWire, ...errorResponses },
      },
    },
    async (req, reply) => {
      const agent = await getAgent(store.db, req.auth.orgId, Number(req.params.id));
      if (!agent) throw agentNotFound();
      const copy = await createAgent(store.db, clock, req.auth.orgId, { ...agent, name: duplicateName(agent.name) });
      return reply.status(201).send(agentToWire(copy));
    },
  );

  app.get(
    '/agents/:id/versions',
    {
      schema: {
        tags,
        summary: 'Configuration snapshots, one per change, newest first',
        params: IdParams,
        response: { 200: Type.Array(AgentVersionWire), ...errorResponses },
      },
    },
    async (req) => {
      const id = Number(req.params.id);
      if (!(await getAgent(store.db, req.auth.orgId, id))) throw agentNotFound();
      return listAgentVersions(store.db, req.auth.orgId, id);
    },
  );
};
