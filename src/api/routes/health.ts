import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { agentServiceChecks } from '../../config/agent-services';

const CheckSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('down')]),
    reason: Type.Union([Type.Null(), Type.String()]),
  },
  { additionalProperties: true },
);

/**
 * Liveness and readiness, no authentication; always 200 while the process runs. `ok` is false and
 * `status` `degraded` while a check is down (`checks.llm` / `checks.stt`: the voice agent's
 * services are not configured, so calls are refused; `reason` says what to set).
 */
export const healthRoutes: RouteModule = (deps) => async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and readiness checks (no authentication)',
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
            checks: Type.Record(Type.String(), CheckSchema),
          }),
        },
      },
    },
    async () => {
      const checks = { ...agentServiceChecks(deps.config) };
      const ok = Object.values(checks).every((c) => c.status === 'ok');
      return { ok, status: ok ? ('ok' as const) : ('degraded' as const), checks };
    },
  );
};
