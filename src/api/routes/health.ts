import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';

export const healthRoutes: RouteModule = () => async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness check (no authentication)',
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
    },
    async () => ({ ok: true }),
  );
};
