import type { RouteModule } from '../route-module';
import { IdParams, errorResponses } from '../wire/common';
import { LegacyWebhookBody, LegacyWebhookWire, WebhookAttemptWire } from '../wire/webhooks';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../shared/errors';

/** Legacy single-URL webhook (§3.2): GET|PUT|PATCH /v1/webhook and /v1/orgs/{org_id}/webhook. */
export const legacyWebhookRoutes: RouteModule = (deps) => async (app) => {
  const legacy = deps.webhooks.legacy;
  const tags = ['webhooks'];
  const read = {
    tags,
    summary: 'The org webhook URL and its secret',
    response: { 200: LegacyWebhookWire, ...errorResponses },
  };
  const write = {
    tags,
    summary: 'Set (or with null clear) the org webhook URL; a whsec_ secret is generated on first use',
    body: LegacyWebhookBody,
    response: { 200: LegacyWebhookWire, ...errorResponses },
  };

  app.get('/webhook', { schema: read }, async (req) => legacy.get(req.auth.orgId));
  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/webhook',
      schema: write,
      handler: async (req) => legacy.set(req.auth.orgId, req.body.url),
    });
  }

  app.get(
    '/webhook/deliveries',
    {
      schema: {
        tags,
        summary: 'Recent attempts to the legacy URL (newest first) with status code, latency and error',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }),
        response: { 200: Type.Array(WebhookAttemptWire), ...errorResponses },
      },
    },
    async (req) => legacy.deliveries(req.auth.orgId, req.query.limit ?? 50),
  );

  // Legacy org-scoped paths: another org's id is a 404, never a 403.
  const ownOrg = (id: string, orgId: number): number => {
    if (Number(id) !== orgId) throw notFound('Organization', 'org_not_found');
    return orgId;
  };
  app.get('/orgs/:id/webhook', { schema: { ...read, params: IdParams } }, async (req) =>
    legacy.get(ownOrg(req.params.id, req.auth.orgId)),
  );
  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/orgs/:id/webhook',
      schema: { ...write, params: IdParams },
      handler: async (req) => legacy.set(ownOrg(req.params.id, req.auth.orgId), req.body.url),
    });
  }
};
