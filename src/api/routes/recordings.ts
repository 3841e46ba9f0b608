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
        response: {
          200: Type.Unknown({ description: 'audio/wav' }),
          206: Type.Unknown({ description: 'audio/wav, one byte range (Range: bytes=a-b)' }),
          403: ErrorBody,
          404: ErrorBody,
          416: Type.Null({ description: 'the range is outside the file' }),
        },
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
      reply.type('audio/wav').header('accept-ranges', 'bytes').header('cache-control', 'private, max-age=60');
      // One byte range (what audio players send to seek); anything else gets the whole file.
      const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
      if (range && (range[1] !== '' || range[2] !== '')) {
        const start = range[1] === '' ? Math.max(0, info.size - Number(range[2])) : Number(range[1]);
        const end = range[1] === '' || range[2] === '' ? info.size - 1 : Math.min(Number(range[2]), info.size - 1);
        if (start > end || start >= info.size)
          return reply.status(416).header('content-range', `bytes */${info.size}`).send(null);
        return reply
          .status(206)
          .header('content-range', `bytes ${start}-${end}/${info.size}`)
          .header('content-length', end - start + 1)
          .send(createReadStream(path, { start, end }));
      }
      return reply.header('content-length', info.size).send(createReadStream(path));
    },
  );
};
