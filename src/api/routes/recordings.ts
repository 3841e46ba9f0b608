import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { AppError } from '../../shared/errors';
import { ErrorBody } from '../wire/common';
import { verifyRecordingSignature } from '../../calls/recording-url';

/**
 * Public (no API key): `GET /recordings/<callId>.wav?expires=&signature=` — the signed links of
 * GET /v1/calls/{id}/audio and the telephony.complete webhook. 403 for a bad or expired link.
 */
export const recordingRoutes: RouteModule = (deps) => async (app) => {
  app.get(
    '/recordings/:name',
    {
      schema: {
        tags: ['calls'],
        summary: 'Download a recording through a signed link (audio/wav)',
        security: [],
        params: Type.Object({ name: Type.String({ maxLength: 40 }) }),
        querystring: Type.Object({
          expires: Type.Optional(Type.String({ maxLength: 20 })),
          signature: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 200: Type.Unknown({ description: 'audio/wav' }), 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const m = /^([0-9]{1,18})\.wav$/.exec(req.params.name);
      if (!m?.[1]) throw new AppError('recording_not_found', 'Not found.');
      const callId = Number(m[1]);
      const { expires = '', signature = '' } = req.query;
      if (!verifyRecordingSignature(deps.config, callId, expires, signature, deps.clock.nowMs()))
        throw new AppError(
          'invalid_signature',
          'This recording link is invalid or has expired; get a new one from GET /v1/calls/{id}/audio.',
        );
      const call = await deps.store.db
        .selectFrom('calls')
        .select(['recording_path'])
        .where('id', '=', callId)
        .executeTakeFirst();
      const path = call?.recording_path;
      const info = path ? await stat(path).catch(() => undefined) : undefined;
      if (!path || !info?.isFile()) throw new AppError('recording_not_found', 'This call has no recording.');
      return reply
        .type('audio/wav')
        .header('content-length', info.size)
        .header('cache-control', 'private, max-age=60')
        .send(createReadStream(path));
    },
  );
};
