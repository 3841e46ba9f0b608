import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { UuidParams, errorResponses } from '../wire/common';
import {
  CreateWebhookEndpointBody,
  RotateSecretBody,
  RotatedSecretWire,
  UpdateWebhookEndpointBody,
  WebhookAttemptWire,
  WebhookEndpointWire,
  WebhookEndpointWithSecretWire,
  WebhookTestResultWire,
} from '../wire/webhooks';

/** Webhook endpoints (§3.15) + the attempt log and secret rotation (beyond the public spec). */
export const webhookEndpointRoutes: RouteModule = (deps) => async (app) => {
  const endpoints = deps.webhooks.endpoints;
  const tags = ['webhooks'];
  const base = '/developer/webhook-endpoints';

  app.get(
    base,
    {
      schema: {
        tags,
        summary: 'List webhook endpoints',
        response: { 200: Type.Array(WebhookEndpointWire), ...errorResponses },
      },
    },
    async (req) => endpoints.list(req.auth.orgId),
  );

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Create a webhook endpoint; the full `secret` is returned only here',
        body: CreateWebhookEndpointBody,
        response: { 201: WebhookEndpointWithSecretWire, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await endpoints.create(req.auth.orgId, req.body)),
  );

  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: 'Update label, url, events or status (active|disabled)',
        params: UuidParams,
        body: UpdateWebhookEndpointBody,
        response: { 200: WebhookEndpointWire, ...errorResponses },
      },
    },
    async (req) => endpoints.update(req.auth.orgId, req.params.id, req.body),
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: 'Delete a webhook endpoint (pending deliveries are cancelled)',
        params: UuidParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await endpoints.remove(req.auth.orgId, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${base}/:id/test`,
    {
      schema: {
        tags,
        summary: 'Send a signed `webhook.test` event now and report the attempt',
        params: UuidParams,
        response: { 200: WebhookTestResultWire, ...errorResponses },
      },
    },
    async (req) => endpoints.sendTest(req.auth.orgId, req.params.id),
  );

  app.get(
    `${base}/:id/deliveries`,
    {
      schema: {
        tags,
        summary: 'Recent delivery attempts (newest first) with status code, latency and error',
        params: UuidParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }),
        response: { 200: Type.Array(WebhookAttemptWire), ...errorResponses },
      },
    },
    async (req) => endpoints.deliveries(req.auth.orgId, req.params.id, req.query.limit ?? 50),
  );

  app.post(
    `${base}/:id/rotate-secret`,
    {
      schema: {
        tags,
        summary:
          'New secret (shown once); the old one keeps signing in X-ThunderPhone-Signature-Previous during the grace period (default 24 h)',
        params: UuidParams,
        body: Type.Optional(RotateSecretBody),
        response: { 200: RotatedSecretWire, ...errorResponses },
      },
    },
    async (req) => endpoints.rotateSecret(req.auth.orgId, req.params.id, req.body?.grace_period_seconds),
  );
};
