import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiHarness, describeApi } from '../../../test/support/api-harness';
import { seedOutboundCall } from '../../calls/testing/call-fixtures';
import { systemClock } from '../../shared/clock';

interface SseEvent {
  event: string;
  data: any;
}

/** A real EventSource-like reader over fetch: collects events as they arrive. */
async function openStream(url: string, headers: Record<string, string>) {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers, signal: ctrl.signal });
  const events: SseEvent[] = [];
  let ended = false;
  const done = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev && data !== undefined) events.push({ event: ev, data: JSON.parse(data) });
        }
      }
    } catch {
      /* aborted */
    }
    ended = true;
  })();
  const waitFor = async (pred: (e: SseEvent) => boolean, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = events.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(`no matching event; got ${JSON.stringify(events.map((e) => e.event))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    res,
    events,
    waitFor,
    get ended() {
      return ended;
    },
    close: async () => {
      ctrl.abort();
      await done;
    },
  };
}

describeApi(
  'GET /v1/calls/stream (SSE)',
  (h) => {
    let base = '';
    before(async () => {
      await h().app.listen({ port: 0, host: '127.0.0.1' });
      const addr = h().app.server.address();
      base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    });
    after(async () => undefined);

    test('each org’s tabs see their own calls change, and never another org’s', async () => {
      const a = await h().createOrg({ name: 'A' });
      const b = await h().createOrg({ name: 'B' });
      const sa = await openStream(`${base}/v1/calls/stream`, { authorization: `Bearer ${a.apiKey}` });
      const sa2 = await openStream(`${base}/v1/calls/stream`, { authorization: `Bearer ${a.apiKey}` });
      const sb = await openStream(`${base}/v1/calls/stream`, { authorization: `Bearer ${b.apiKey}` });
      try {
        assert.equal(sa.res.status, 200);
        assert.match(sa.res.headers.get('content-type') ?? '', /^text\/event-stream/);
        await sa.waitFor((e) => e.event === 'ready');
        await sb.waitFor((e) => e.event === 'ready');
        const callA = await seedOutboundCall(h().deps.store.db, systemClock, a.id);
        const callB = await seedOutboundCall(h().deps.store.db, systemClock, b.id, { to_number: '+15550009999' });
        const gotA = await sa.waitFor((e) => e.event === 'call' && e.data.call.call_id === callA.id);
        assert.equal(gotA.data.call.status, 'in_progress');
        await sa2.waitFor((e) => e.event === 'call' && e.data.call.call_id === callA.id);
        await sb.waitFor((e) => e.event === 'call' && e.data.call.call_id === callB.id);

        await h()
          .deps.store.db.updateTable('calls')
          .set({ status: 'completed', phase: 'ended', end_reason: 'agent_end', updated_at: new Date().toISOString() })
          .where('id', '=', callA.id)
          .execute();
        const done = await sa.waitFor((e) => e.event === 'call' && e.data.call.status === 'completed');
        assert.equal(done.data.call.end_reason, 'agent_end');
        assert.equal(done.data.phase, 'ended');

        // The grade lands later: the tab sees its score and the issue counts the call list shows.
        await h()
          .deps.store.db.updateTable('calls')
          .set({
            grade_status: 'completed',
            grade_score: 0.4,
            grade: JSON.stringify({
              score: 0.4,
              issues: [
                { severity: 'critical', description: 'quoted a price the prompt does not give' },
                { severity: 'low', description: 'a long pause before the answer' },
              ],
            }),
            grade_updated_at: new Date().toISOString(),
            updated_at: new Date(Date.now() + 1).toISOString(),
          })
          .where('id', '=', callA.id)
          .execute();
        const graded = await sa.waitFor((e) => e.event === 'call' && e.data.call.grade_status === 'completed');
        assert.equal(graded.data.call.grade_score, 0.4);
        assert.equal(graded.data.call.issue_count, 2);
        assert.equal(graded.data.call.critical_issue_count, 1);
        const listed = await h().request('GET', `/v1/calls/${callA.id}`, { key: a.apiKey });
        assert.equal(listed.body.issue_count, graded.data.call.issue_count, 'the stream and the API agree');
        // Give B's stream time to receive anything it (wrongly) would.
        await new Promise((r) => setTimeout(r, 400));
        assert.ok(
          sb.events.filter((e) => e.event === 'call').every((e) => e.data.call.call_id !== callA.id),
          'B never sees A’s call',
        );
        assert.ok(
          sa.events.filter((e) => e.event === 'call').every((e) => e.data.call.call_id !== callB.id),
          'A never sees B’s call',
        );
      } finally {
        await Promise.all([sa.close(), sa2.close(), sb.close()]);
      }
    });

    test('the console cookie opens the stream; a revoked key gets signed_out and the stream ends', async () => {
      const org = await h().createOrg();
      const signIn = await h().request('POST', '/console/session', {
        body: { key: org.apiKey },
        headers: { 'x-thunderphone-console': '1' },
      });
      const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
      const s = await openStream(`${base}/v1/calls/stream`, { cookie });
      try {
        await s.waitFor((e) => e.event === 'ready');
        const keys = await h().request('GET', '/v1/developer/api-keys', { key: org.apiKey });
        await h().request('DELETE', `/v1/developer/api-keys/${keys.body[0].id}`, { key: org.apiKey });
        const out = await s.waitFor((e) => e.event === 'signed_out');
        assert.equal(out.data.code, 'session_key_revoked');
        for (let i = 0; i < 100 && !s.ended; i++) await new Promise((r) => setTimeout(r, 20));
        assert.ok(s.ended, 'the server closed the stream');
        const again = await fetch(`${base}/v1/calls/stream`, { headers: { cookie } });
        assert.equal(again.status, 401);
        assert.equal(((await again.json()) as { code: string }).code, 'session_key_revoked');
      } finally {
        await s.close();
      }
    });

    test('no credentials: 401 JSON, no stream', async () => {
      const res = await fetch(`${base}/v1/calls/stream`);
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { code: string }).code, 'not_authenticated');
    });
  },
  { customize: (deps) => void (deps.liveCalls = { pollMs: 50, keepaliveMs: 200 }) },
);

test('closing the server ends open streams (a console tab never blocks shutdown) [sqlite]', async () => {
  const h = await createApiHarness('sqlite');
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = h.app.server.address();
  const org = await h.createOrg();
  const s = await openStream(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1/calls/stream`, {
    authorization: `Bearer ${org.apiKey}`,
  });
  await s.waitFor((e) => e.event === 'ready');
  let closed = false;
  const closing = h.close().then(() => (closed = true));
  for (let i = 0; i < 250 && !closed; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(closed, 'app.close() finished with a stream open');
  assert.ok(s.ended, 'the stream was ended by the server');
  await closing;
  await s.close();
});
