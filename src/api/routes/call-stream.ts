import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { CallChangeFeed, type CallChange } from '../../calls/call-change-feed';
import { callToWire } from '../wire/call';
import { errorResponses } from '../wire/common';

export const CALL_STREAM_KEEPALIVE_MS = 15_000;

/** The event a tab receives for each change of one of its org's calls. */
export function callChangeToWire(change: CallChange, wire: (row: Parameters<typeof callToWire>[0]) => unknown) {
  const row = {
    ...change.call,
    config: '{}',
    variables: '{}',
    transcript: '[]',
    metrics: '{}',
    extracted_data: null,
    sip_dialog: null,
  };
  return {
    call: wire(row),
    phase: change.call.phase,
    updated_at: change.call.updated_at,
    transcript_chars: change.transcriptChars,
  };
}

/**
 * `GET /v1/calls/stream`: Server-Sent Events of the org's call changes (status, phase, end reason,
 * billing, and `transcript_chars` growing while a running call's transcript is checkpointed).
 * Events: `ready` once connected (refetch lists then: changes before it are not replayed),
 * `call` per change, `signed_out` when the key was revoked (then the stream ends), and a comment
 * every 15 s that also re-checks the key. One database poller per process feeds every stream.
 */
export const callStreamRoutes: RouteModule = (deps) => async (app) => {
  const opts = deps.liveCalls ?? {};
  const feed = new CallChangeFeed({
    db: deps.store.db,
    clock: deps.clock,
    log: deps.log,
    ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
  });
  const open = new Set<() => void>();
  // preClose, not onClose: Fastify waits for in-flight requests before onClose, and a stream
  // never finishes on its own.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
    feed.close();
  });
  const wire = (row: Parameters<typeof callToWire>[0]) => callToWire(row, deps.config, deps.clock.nowMs());

  app.get(
    '/calls/stream',
    {
      schema: {
        tags: ['calls'],
        summary: 'Live call changes of the org as Server-Sent Events (ready, call, signed_out)',
        response: { 200: Type.Unknown({ description: 'text/event-stream' }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { orgId, apiKeyId } = req.auth;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        unsubscribe();
        clearInterval(keepalive);
        open.delete(end);
        res.end();
      };
      const unsubscribe = feed.subscribe(orgId, (change) => send('call', callChangeToWire(change, wire)));
      const keepalive = setInterval(() => {
        void deps.store.db
          .selectFrom('api_keys')
          .select('revoked_at')
          .where('id', '=', apiKeyId)
          .executeTakeFirst()
          .then((key) => {
            if (ended) return;
            if (!key || key.revoked_at !== null) {
              send('signed_out', { code: 'session_key_revoked' });
              end();
            } else res.write(': keepalive\n\n');
          })
          .catch((err: unknown) => req.log.warn({ err }, 'call stream key check failed'));
      }, opts.keepaliveMs ?? CALL_STREAM_KEEPALIVE_MS);
      keepalive.unref();
      open.add(end);
      req.raw.on('close', end);
      res.write('retry: 3000\n\n');
      send('ready', { org_id: orgId });
    },
  );
};
