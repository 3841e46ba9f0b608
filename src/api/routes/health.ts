import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';

const CheckSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('missing'), Type.Literal('down')]),
    detail: Type.Optional(Type.String()),
    reason: Type.Union([Type.Null(), Type.String()]),
    fix: Type.Optional(Type.Union([Type.Null(), Type.String()])),
  },
  { additionalProperties: true },
);

/**
 * Liveness and what works, no authentication; always 200 while the process runs. `checks` has
 * the parts of ops/readiness.ts (sip, rtp, tts with its engine, voice count and the optional
 * engines not installed, llm, stt, console), each `ok`, `warning` (works, with a catch) or
 * `missing` (does not work), with `reason` and the `fix`; the start banner prints the same.
 * `status` is `degraded` while a part is missing or down.
 */
export const healthRoutes: RouteModule = (deps) => async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and what works: ok / warning / missing per part, with the fix (no authentication)',
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
      const checks = { ...deps.readiness.checks() };
      const ok = Object.values(checks).every((c) => c.status === 'ok' || c.status === 'warning');
      return { ok, status: ok ? ('ok' as const) : ('degraded' as const), checks };
    },
  );
};
