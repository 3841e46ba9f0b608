import { existsSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { AppError, notFound } from '../../shared/errors';
import { ErrorBody, Envelope, IdParams, Paging, errorResponses } from '../wire/common';
import { CallFilterQuery, CallWire, callToWire, callsToCsv } from '../wire/call';
import { PlaceCallBody, PlacedCallWire, placeCallInputOf, placedCallToWire } from '../wire/outbound-call';
import { placeCall } from '../../calls/place-call';
import { missingAgentServices } from '../../config/agent-services';
import { callHistory, getCall, listCalls, transcriptOf } from '../../calls/call-queries';
import { signRecordingUrl } from '../../calls/recording-url';

const callNotFound = () => notFound('Call', 'call_not_found');
const EXPORT_MAX = 1000;

export const callRoutes: RouteModule = (deps) => async (app) => {
  const { store, clock, config } = deps;
  const tags = ['calls'];
  const wire = (c: Parameters<typeof callToWire>[0]) => callToWire(c, config, clock.nowMs());
  const load = async (orgId: number, id: string) => {
    const call = await getCall(store.db, orgId, Number(id));
    if (!call) throw callNotFound();
    return call;
  };

  app.post(
    '/call',
    {
      schema: {
        tags,
        summary: 'Place an outbound call (from a verified VoIP number of this org)',
        body: PlaceCallBody,
        response: {
          201: PlacedCallWire,
          ...errorResponses,
          402: ErrorBody,
          403: ErrorBody,
          409: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      // A server without LLM/STT would accept the call and fail it a moment later: refuse at once.
      const missing = missingAgentServices(config);
      if (missing !== null) throw new AppError('agent_not_configured', missing);
      const input = placeCallInputOf(req.body, deps.voices, config.allowPrivateTargets);
      const placed = await placeCall(
        {
          db: store.db,
          dialect: store.dialect,
          clock,
          queue: deps.queue,
          requireAttestation: config.calls.outboundAttestationRequired,
        },
        req.auth.orgId,
        input,
      );
      return reply.status(201).send(placedCallToWire(placed));
    },
  );

  app.get(
    '/calls',
    {
      schema: {
        tags,
        summary: 'List calls, newest first (envelope with total)',
        querystring: Type.Composite([Paging, CallFilterQuery]),
        response: { 200: Envelope(CallWire), ...errorResponses },
      },
    },
    async (req) => {
      const { limit = 50, offset = 0, ...filters } = req.query;
      const { rows, total } = await listCalls(store.db, req.auth.orgId, filters, limit, offset);
      return { results: rows.map(wire), total, limit, offset };
    },
  );

  app.get(
    '/calls/export',
    {
      schema: {
        tags,
        summary: 'Export up to 1000 calls (newest first) as CSV or JSON, with the list filters',
        querystring: Type.Composite([
          CallFilterQuery,
          Type.Object({
            format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: EXPORT_MAX, default: EXPORT_MAX })),
          }),
        ]),
        response: {
          200: Type.Unknown({ description: 'text/csv, or a JSON array of call objects' }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { format = 'csv', limit = EXPORT_MAX, ...filters } = req.query;
      const { rows } = await listCalls(store.db, req.auth.orgId, filters, limit, 0);
      const calls = rows.map(wire);
      if (format === 'json') {
        return reply
          .header('content-disposition', 'attachment; filename="calls.json"')
          .type('application/json')
          .send(JSON.stringify(calls));
      }
      return reply
        .header('content-disposition', 'attachment; filename="calls.csv"')
        .type('text/csv; charset=utf-8')
        .send(callsToCsv(calls));
    },
  );

  app.get(
    '/calls/:id',
    { schema: { tags, summary: 'Get a call', params: IdParams, response: { 200: CallWire, ...errorResponses } } },
    async (req) => wire(await load(req.auth.orgId, req.params.id)),
  );

  app.get(
    '/calls/:id/transcript',
    {
      schema: {
        tags,
        summary: 'Transcript turns (user, assistant, tool_call, tool_response)',
        params: IdParams,
        response: {
          200: Type.Object({ call_id: Type.Integer(), transcripts: Type.Array(Type.Unknown()) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const call = await load(req.auth.orgId, req.params.id);
      return { call_id: Number(call.id), transcripts: transcriptOf(call) };
    },
  );

  app.get(
    '/calls/:id/audio',
    {
      schema: {
        tags,
        summary: 'A short-lived signed link to the recording (404 when there is none)',
        params: IdParams,
        response: { 200: Type.Object({ url: Type.String(), expires_at: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const call = await load(req.auth.orgId, req.params.id);
      if (!call.recording_path || !existsSync(call.recording_path))
        throw new AppError('recording_not_found', 'This call has no recording.');
      const signed = signRecordingUrl(config, Number(call.id), clock.nowMs());
      return { url: signed.url, expires_at: signed.expiresAt };
    },
  );

  app.get(
    '/calls/:id/history',
    {
      schema: {
        tags,
        summary: 'Time-ordered lifecycle events and transcript turns (tool round trips included)',
        params: IdParams,
        response: {
          200: Type.Object({ call_id: Type.Integer(), history: Type.Array(Type.Unknown()) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const call = await load(req.auth.orgId, req.params.id);
      return { call_id: Number(call.id), history: await callHistory(store.db, call) };
    },
  );
};
