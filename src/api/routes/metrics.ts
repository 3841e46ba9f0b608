import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { AppError } from '../../shared/errors';
import { constantTimeEqual } from '../../shared/secret-box';
import { ErrorBody } from '../wire/common';

/**
 * `GET /metrics`: Prometheus text exposition (ops/prometheus-metrics.ts) for the scraper, behind
 * `Authorization: Bearer $METRICS_TOKEN` (401 invalid_metrics_token otherwise). Without
 * METRICS_TOKEN the route does not exist (404), like the admin API without its token.
 */
export const metricsRoutes: RouteModule = (deps) => async (app) => {
  const token = deps.config.ops.metricsToken;
  if (token === undefined) return;
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (Bearer METRICS_TOKEN)',
        security: [],
        response: { 200: Type.String({ description: 'text/plain; version=0.0.4' }), 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (!m?.[1] || !constantTimeEqual(m[1], token))
        throw new AppError(
          'invalid_metrics_token',
          'Missing or wrong metrics token (Authorization: Bearer $METRICS_TOKEN).',
        );
      return reply.type(deps.metrics.contentType).send(await deps.metrics.text());
    },
  );
};
