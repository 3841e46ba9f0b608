import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { AppError, notFound } from '../../shared/errors';
import { getCall } from '../../calls/call-queries';
import { requestCallAnalysis } from '../../analysis/call-analysis-queue';
import { callGradeOf } from '../../analysis/call-grade';
import { ErrorBody, IdParams, Nullable, Timestamp, errorResponses } from '../wire/common';

export const CallGradeWire = Type.Object({
  call_id: Type.Integer(),
  status: Type.String({ description: 'pending | completed | failed' }),
  score: Nullable(Type.Number({ description: '0.0–1.0' })),
  call_outcome: Nullable(Type.String({ description: 'success | partial | failure' })),
  outcome_label: Nullable(Type.String({ description: "one of the agent's post_call_analysis.outcome_labels" })),
  summary: Nullable(Type.String()),
  issues: Type.Array(Type.Object({ severity: Type.String(), description: Type.String() })),
  extracted_data: Nullable(Type.Object({}, { additionalProperties: true })),
  grader_model: Nullable(Type.String()),
  error: Nullable(Type.String({ description: 'why the latest run failed' })),
  updated_at: Nullable(Timestamp),
});

/** GET /v1/calls/{id}/grade (the latest analysis) and POST (run it again). Tenant-scoped like every call read. */
export const callGradeRoutes: RouteModule = (deps) => async (app) => {
  const { store, clock } = deps;
  const tags = ['calls'];
  const load = async (orgId: number, id: string) => {
    const call = await getCall(store.db, orgId, Number(id));
    if (!call) throw notFound('Call', 'call_not_found');
    return call;
  };

  app.get(
    '/calls/:id/grade',
    {
      schema: {
        tags,
        summary: 'The latest post-call analysis: grade, summary, outcome label, issues, extracted data',
        params: IdParams,
        response: { 200: CallGradeWire, ...errorResponses },
      },
    },
    async (req) => {
      const grade = callGradeOf(await load(req.auth.orgId, req.params.id));
      if (!grade) throw new AppError('grade_not_found', 'This call has not been graded.');
      return grade;
    },
  );

  app.post(
    '/calls/:id/grade',
    {
      schema: {
        tags,
        summary:
          "Run the post-call analysis again (the agent's settings, else summary + grade); 202 with status pending",
        params: IdParams,
        response: { 202: CallGradeWire, ...errorResponses, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const call = await load(req.auth.orgId, req.params.id);
      if (call.status === 'in_progress')
        throw new AppError('call_not_ended', 'The call is still in progress; grade it once it has ended.');
      await store.db
        .transaction()
        .execute((trx) => requestCallAnalysis(trx, deps.queue, Number(call.id), clock.nowIso()));
      const grade = callGradeOf(await load(req.auth.orgId, req.params.id));
      if (!grade) throw new AppError('grade_not_found', 'This call has not been graded.');
      return reply.status(202).send(grade);
    },
  );
};
