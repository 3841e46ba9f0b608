import { Type } from '@sinclair/typebox';
import type { ApiDeps } from '../deps';
import type { RouteModule } from '../route-module';
import { agentServiceChecks } from '../../config/agent-services';

/** One entry of `checks` in GET /v1/healthz. */
export interface HealthCheckResult {
  status: 'ok' | 'down';
  /** Why it is not ok (null while ok). */
  reason: string | null;
  [extra: string]: unknown;
}

const CheckSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('down')]),
    reason: Type.Union([Type.Null(), Type.String()]),
  },
  { additionalProperties: true },
);

/**
 * What /v1/healthz checks, by name. Add a dependency here (one async function each); a check
 * must answer quickly (bounded) and never throw.
 */
function healthChecks(deps: ApiDeps): Record<string, () => Promise<HealthCheckResult>> {
  const agentServices = agentServiceChecks(deps.config);
  return {
    database: async () => {
      const startedMs = deps.clock.monotonicMs();
      const check = await deps.store.health.check();
      return {
        ...check,
        dialect: deps.store.dialect,
        latency_ms: check.status === 'ok' ? Math.round(deps.clock.monotonicMs() - startedMs) : null,
      };
    },
    // The voice agent's services: without them calls are refused (`reason` says what to set).
    llm: async () => ({ ...agentServices.llm }),
    stt: async () => ({ ...agentServices.stt }),
  };
}

/**
 * Liveness and readiness, no authentication. Always 200 while the process runs (a database
 * outage is ridden out: live calls go on, so an orchestrator must not restart the process for it);
 * `ok` is false and `status` is `degraded` while a check is down.
 */
export const healthRoutes: RouteModule = (deps) => async (app) => {
  const checks = healthChecks(deps);
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
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((name) => checks[name]!()));
      const byName = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
      const ok = results.every((r) => r.status === 'ok');
      return { ok, status: ok ? ('ok' as const) : ('degraded' as const), checks: byName };
    },
  );
};
