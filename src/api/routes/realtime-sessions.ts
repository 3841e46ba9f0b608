import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { errorResponses } from '../wire/common';
import { getAgent } from '../../agents/agent-service';
import { isProduct } from '../../agents/products';
import { AppError } from '../../shared/errors';
import { issueRealtimeSecret, type SecretSession } from '../../realtime/realtime-secrets';

const Body = Type.Object(
  {
    agent_id: Type.Optional(Type.Integer({ minimum: 1 })),
    product: Type.Optional(Type.String()),
    language: Type.Optional(Type.String({ maxLength: 35 })),
  },
  { additionalProperties: true },
);

const SessionWire = Type.Object({
  id: Type.String(),
  object: Type.Literal('realtime.session'),
  agent_id: Type.Union([Type.Null(), Type.Integer()]),
  product: Type.Union([Type.Null(), Type.String()]),
  language: Type.Union([Type.Null(), Type.String()]),
  /** Beta clients read `client_secret.value`; GA clients read `value`. */
  client_secret: Type.Object({ value: Type.String(), expires_at: Type.Integer() }),
  value: Type.String(),
  expires_at: Type.Integer({ description: 'Unix seconds' }),
});

/**
 * `POST /v1/realtime/sessions` `{agent_id}` or inline `{product, language}` → a client secret
 * (`ek_…`, single use, 60 s) that opens ONE /v1/realtime socket as `Authorization: Bearer ek_…`
 * (the OpenAI SDK's apiKey), fixing the session's agent. A browser thus never holds the org key.
 */
export const realtimeSessionRoutes: RouteModule = (deps) => async (app) => {
  app.post(
    '/realtime/sessions',
    {
      schema: {
        tags: ['realtime'],
        summary: 'A short-lived client secret for one /v1/realtime WebSocket',
        body: Body,
        response: { 201: SessionWire, ...errorResponses },
      },
    },
    async (req, reply) => {
      const body = req.body ?? {};
      let session: SecretSession;
      if (body.agent_id !== undefined) {
        if (body.product !== undefined)
          throw new AppError('realtime_invalid_parameter', 'product: pass agent_id or an inline product, not both.');
        const agent = await getAgent(deps.store.db, req.auth.orgId, body.agent_id);
        if (!agent) throw new AppError('agent_not_found', `Agent ${body.agent_id} not found.`);
        session = { agent_id: agent.id };
      } else {
        const product = body.product ?? 'spark';
        if (!isProduct(product))
          throw new AppError('realtime_invalid_parameter', `product: unknown product "${product}".`);
        const language = body.language ?? 'en-US';
        if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language))
          throw new AppError('realtime_invalid_parameter', 'language: must be a BCP-47 tag such as en-US.');
        session = { product, language };
      }
      const issued = await issueRealtimeSecret(deps.store.db, deps.clock, deps.ids, {
        orgId: req.auth.orgId,
        apiKeyId: req.auth.apiKeyId,
        session,
      });
      const expiresAt = Math.floor(issued.expiresAtMs / 1000);
      reply.code(201);
      return {
        id: issued.id,
        object: 'realtime.session' as const,
        agent_id: 'agent_id' in session ? session.agent_id : null,
        product: 'product' in session ? session.product : null,
        language: 'language' in session ? session.language : null,
        client_secret: { value: issued.value, expires_at: expiresAt },
        value: issued.value,
        expires_at: expiresAt,
      };
    },
  );
};
