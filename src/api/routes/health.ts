import { Type } from '@sinclair/typebox';
import type { ApiDeps } from '../deps';
import type { RouteModule } from '../route-module';
import { READINESS_PARTS } from '../../ops/readiness';

/** One entry of `checks` in GET /v1/healthz. */
export interface HealthCheckResult {
  /** `ok`; `warning` (works, with a catch); `missing` (that part does not work); `down` (an outage). */
  status: 'ok' | 'warning' | 'missing' | 'down';
  /** Why it is not ok (null while ok). */
  reason: string | null;
  [extra: string]: unknown;
}

const CheckSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('missing'), Type.Literal('down')]),
    detail: Type.Optional(Type.String()),
    reason: Type.Union([Type.Null(), Type.String()]),
    fix: Type.Optional(Type.Union([Type.Null(), Type.String()])),
  },
  { additionalProperties: true },
);

const HealthSchema = Type.Object({
  ok: Type.Boolean(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('draining')]),
  checks: Type.Record(Type.String(), CheckSchema),
});

/**
 * What /v1/healthz checks, by name: the database (an outage is `down`, with since/reason), then the
 * parts of ops/readiness.ts (sip, rtp, tts with its engine and voices, llm, stt, console), each with
 * its `fix`. Add a dependency here (one async function each); a check must answer quickly (bounded)
 * and never throw.
 */
function healthChecks(deps: ApiDeps): Record<string, () => Promise<HealthCheckResult>> {
  const readiness = Object.fromEntries(
    READINESS_PARTS.map((part) => [part, async (): Promise<HealthCheckResult> => deps.readiness.checks()[part]]),
  );
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
    ...readiness,
    drain: async () =>
      deps.drain.draining
        ? {
            status: 'down',
            detail: 'draining: live calls finish, new calls go to other servers',
            reason: `the server is shutting down (since ${deps.drain.sinceIso}); calls still live at ${deps.drain.deadlineIso} are ended`,
            fix: null,
            since: deps.drain.sinceIso,
            deadline: deps.drain.deadlineIso,
          }
        : { status: 'ok', detail: 'accepting new calls', reason: null, fix: null },
  };
}

/**
 * Liveness and what works, no authentication. 200 while the process runs (a database outage is
 * ridden out: live calls go on, so an orchestrator must not restart the process for it); `ok` is
 * false and `status` is `degraded` while a check is `missing` or `down` (warnings do not degrade).
 * While draining (SIGTERM) it answers 503 with `status: draining`, so a load balancer stops sending.
 * The start banner prints the same checks.
 */
export const healthRoutes: RouteModule = (deps) => async (app) => {
  const checks = healthChecks(deps);
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and what works: ok / warning / missing / down per part, with the fix (no authentication)',
        response: {
          200: HealthSchema,
          503: HealthSchema,
        },
      },
    },
    async (_req, reply) => {
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((name) => checks[name]!()));
      const byName = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
      const ok = results.every((r) => r.status === 'ok' || r.status === 'warning');
      if (deps.drain.draining) return reply.code(503).send({ ok: false, status: 'draining' as const, checks: byName });
      return { ok, status: ok ? ('ok' as const) : ('degraded' as const), checks: byName };
    },
  );
};
