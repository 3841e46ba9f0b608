import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { testDialects } from '../support/dialects';
import { createRealtimeHarness, type RealtimeHarness } from '../support/realtime-harness';
import { until, untilValue } from '../support/until';
import { asteriskPrompt, silenceFrames } from '../../src/voice/testing/speech-fixtures';

const LONG =
  'Let me tell you a long story about our company. It started many years ago in a small garage. ' +
  'Then it grew and grew until it filled a whole building. Everybody was very happy about it. ' +
  'And the story goes on for quite a while longer than anyone would like to listen to.';

/** pcm16 24 kHz base64 of 8 kHz frames (sample-repeated: enough for VAD and STT's length check). */
function pcm24(frames: Int16Array[]): string {
  const out = Buffer.alloc(frames.length * 160 * 3 * 2);
  let o = 0;
  for (const f of frames) for (const s of f) for (let k = 0; k < 3; k++) o = out.writeInt16LE(s, o);
  return out.toString('base64');
}

interface Client {
  ws: WebSocket;
  events: any[];
  waitFor(type: string, pred?: (e: any) => boolean): Promise<any>;
  send(event: unknown): void;
}

function connect(h: RealtimeHarness, query: string, headers: Record<string, string>): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://${h.origin.slice('https://'.length)}/v1/realtime?${query}`, { ca: h.ca, headers });
    const events: any[] = [];
    ws.on('message', (d) => void events.push(JSON.parse(d.toString())));
    ws.once('open', () =>
      resolve({
        ws,
        events,
        waitFor: (type, pred = () => true) =>
          untilValue(type, () => events.find((e) => e.type === type && pred(e)), 30_000),
        send: (e) => ws.send(JSON.stringify(e)),
      }),
    );
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

async function refused(p: Promise<Client>): Promise<{ status: number; body: any }> {
  try {
    const c = await p;
    c.ws.close();
  } catch (err) {
    const e = err as { status?: number; body?: string };
    if (e.status !== undefined) return { status: e.status, body: JSON.parse(e.body ?? '{}') };
    throw err;
  }
  throw new Error('the upgrade was accepted');
}

for (const dialect of testDialects()) {
  describe(`realtime WebSocket edge cases with a raw ws client [${dialect}]`, () => {
    let h: RealtimeHarness;
    let tool: Server;
    let toolUrl: string;
    const toolBodies: unknown[] = [];
    let key: string;
    let other: string;
    let agentId: number;
    let otherAgentId: number;
    const bearer = () => ({ authorization: `Bearer ${key}` });

    before(async () => {
      tool = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          toolBodies.push(JSON.parse(body));
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"shipped","eta":"tomorrow"}');
        });
      });
      await new Promise<void>((r) => tool.listen(0, '127.0.0.1', r));
      toolUrl = `http://127.0.0.1:${(tool.address() as AddressInfo).port}/orders`;
      h = await createRealtimeHarness(dialect, {
        llm: (req) => {
          const last = req.messages.at(-1)!;
          if (last.role === 'tool') return `Your order is ${JSON.parse(last.content).status}.`;
          const text = String(last.content ?? '').toLowerCase();
          if (text.includes('order')) return { toolCalls: [{ name: 'order_status', arguments: { order: '42' } }] };
          if (text.includes('story')) return { text: LONG, chunkDelayMs: 5 };
          return 'Okay.';
        },
        stt: ['hello world'],
      });
      const org = await h.api.createOrg({ balanceCents: 500 });
      key = org.apiKey;
      other = (await h.api.createOrg({ balanceCents: 500 })).apiKey;
      const agent = await h.api.request('POST', '/v1/agents', {
        key,
        body: {
          name: 'Orders',
          prompt: 'You answer questions about orders.',
          voice: 'en-US-James1',
          inbound_speak_order: 'caller_first',
          tools: [
            {
              type: 'function',
              function: {
                name: 'order_status',
                description: 'Status of an order',
                parameters: { type: 'object', properties: { order: { type: 'string' } } },
              },
              endpoint: { url: toolUrl, method: 'POST', headers: {} },
            },
          ],
        },
      });
      assert.equal(agent.status, 201, agent.text);
      agentId = agent.body.id;
      const otherAgent = await h.api.request('POST', '/v1/agents', {
        key: other,
        body: { name: 'Theirs', prompt: 'x', voice: 'en-US-James1' },
      });
      otherAgentId = otherAgent.body.id;
    });
    after(async () => {
      await h?.close();
      await new Promise((r) => tool?.close(r));
    });

    const callRow = (id: number) =>
      h.api.deps.store.db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
    const callIdOf = (c: Client) => Number(String(c.events[0].session.id).replace('sess_', ''));

    test('refusals are HTTP statuses on the upgrade with {detail, code}: bad key, no key, unknown or foreign agent, bad parameters, plain GET', async () => {
      const cases: [string, Record<string, string>, number, string][] = [
        ['model=gpt-realtime', { authorization: 'Bearer sk_live_nope' }, 401, 'invalid_api_key'],
        ['model=gpt-realtime', {}, 401, 'not_authenticated'],
        ['agent_id=999999', bearer(), 404, 'agent_not_found'],
        [`agent_id=${otherAgentId}`, bearer(), 404, 'agent_not_found'],
        ['agent_id=abc', bearer(), 400, 'realtime_invalid_parameter'],
        ['input_rate=44100', bearer(), 400, 'realtime_invalid_parameter'],
        ['output_audio_format=opus', bearer(), 400, 'realtime_invalid_parameter'],
        ['product=turbo', bearer(), 400, 'realtime_invalid_parameter'],
        [`agent_id=${agentId}&product=spark`, bearer(), 400, 'realtime_invalid_parameter'],
        ['from_number=12345', bearer(), 400, 'realtime_invalid_parameter'],
      ];
      for (const [query, headers, status, code] of cases) {
        const r = await refused(connect(h, query, headers));
        assert.equal(r.status, status, `${query}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.code, code, query);
        assert.equal(typeof r.body.detail, 'string');
      }
      // A plain GET (no Upgrade) is answered, not left hanging.
      const res = await h.api.request('GET', '/v1/realtime', { key });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'websocket_upgrade_required');
      const calls = await h.api.deps.store.db.selectFrom('calls').select('id').execute();
      assert.equal(calls.length, 0, 'no refused upgrade created a call');
    });

    test('the api_key query parameter authenticates; a malformed event gets an error event and the session goes on', async () => {
      const c = await connect(h, `api_key=${key}&model=spark`, {});
      await c.waitFor('session.created');
      c.ws.send('{not json');
      const e1 = await c.waitFor('error');
      assert.equal(e1.error.code, 'realtime_invalid_event');
      c.send({ type: 'no.such.event', event_id: 'evt_client_1' });
      const e2 = await c.waitFor('error', (e) => e.error.event_id === 'evt_client_1');
      assert.match(e2.error.message, /Unknown event type/);
      c.send({ type: 'input_audio_buffer.append', audio: '***' });
      await c.waitFor('error', (e) => e.error.param === 'audio');
      c.send({
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'nope', output: '{}' },
      });
      await c.waitFor('error', (e) => e.error.code === 'realtime_unknown_item');
      c.send({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      });
      c.send({ type: 'response.create' });
      const done = await c.waitFor('response.done');
      assert.equal(done.response.status, 'completed');
      assert.equal(c.ws.readyState, WebSocket.OPEN);
      c.ws.close();
    });

    test("a saved agent's HTTP tool runs on the server; its turns are in the call transcript", async () => {
      const c = await connect(h, `agent_id=${agentId}&from_number=%2B14155550100&to_number=%2B14155550199`, bearer());
      const created = await c.waitFor('session.created');
      assert.equal(created.session.instructions, 'You answer questions about orders.');
      c.send({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Where is my order?' }] },
      });
      c.send({ type: 'response.create' });
      const done = await c.waitFor('response.done');
      const said = c.events
        .filter((e) => e.type === 'response.output_audio_transcript.delta' && e.response_id === done.response.id)
        .map((e) => e.delta)
        .join('');
      assert.equal(said, 'Your order is shipped.');
      assert.ok(!c.events.some((e) => e.type === 'response.function_call_arguments.done'), 'not a client call');
      assert.deepEqual(toolBodies.at(-1), { order: '42' });
      const id = callIdOf(c);
      c.ws.close();
      const row = await untilValue('finalized', async () => {
        const r = await callRow(id);
        return r?.status === 'completed' ? r : undefined;
      });
      assert.equal(row.from_number, '+14155550100');
      assert.equal(row.to_number, '+14155550199');
      assert.equal(row.agent_id, agentId);
      const roles = (JSON.parse(row.transcript) as { role: string }[]).map((t) => t.role);
      assert.deepEqual(roles, ['user', 'tool_call', 'tool_response', 'assistant']);
      const tools = await h.api.deps.store.db
        .selectFrom('webhook_events')
        .selectAll()
        .where('type', '=', 'web.tool')
        .execute();
      assert.ok(tools.some((t) => JSON.parse(t.data).call_id === id));
    });

    test('response.cancel stops the answer; speech while the agent talks barges in and cuts the answer to what was played', async () => {
      const c = await connect(h, 'model=spark&input_rate=24000', bearer());
      await c.waitFor('session.created');
      c.send({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Tell me a story' }] },
      });
      c.send({ type: 'response.create' });
      const first = await c.waitFor('response.output_audio.delta');
      c.send({ type: 'response.cancel' });
      const cancelled = await c.waitFor('response.done', (e) => e.response.id === first.response_id);
      assert.equal(cancelled.response.status, 'cancelled');

      c.send({ type: 'response.create' });
      const second = await c.waitFor('response.output_audio.delta', (e) => e.response_id !== first.response_id);
      // Audio is paced in real time (200 ms ahead): 1.5 s received means more than a second was played.
      const receivedMs = () =>
        c.events
          .filter((e) => e.type === 'response.output_audio.delta' && e.response_id === second.response_id)
          .reduce((ms, e) => ms + Buffer.from(e.delta, 'base64').length / 48, 0);
      await until('1.5 s of the answer received', () => receivedMs() > 1500);
      c.send({
        type: 'input_audio_buffer.append',
        audio: pcm24([...asteriskPrompt('hello-world'), ...silenceFrames(1000)]),
      });
      await c.waitFor('input_audio_buffer.speech_started');
      const cut = await c.waitFor('response.done', (e) => e.response.id === second.response_id);
      assert.equal(cut.response.status, 'cancelled');
      const id = callIdOf(c);
      await c.waitFor('conversation.item.input_audio_transcription.completed');
      c.ws.close();
      const row = await untilValue('finalized', async () => {
        const r = await callRow(id);
        return r?.status === 'completed' ? r : undefined;
      });
      const assistant = (JSON.parse(row.transcript) as { role: string; content: string }[]).filter(
        (t) => t.role === 'assistant',
      );
      assert.ok(assistant.length >= 1);
      assert.ok(assistant.at(-1)!.content.length > 10, 'more than a second of the second answer was played');
      for (const t of assistant)
        assert.ok(t.content.length < LONG.length && LONG.startsWith(t.content.slice(0, 10)), t.content);
    });

    test('POST /v1/realtime/sessions: a single-use client secret opens one socket for its agent; used, expired or foreign ones are refused', async () => {
      const res = await h.api.request('POST', '/v1/realtime/sessions', { key, body: { agent_id: agentId } });
      assert.equal(res.status, 201, res.text);
      assert.match(res.body.value, /^ek_[0-9a-f]{48}$/);
      assert.equal(res.body.client_secret.value, res.body.value);
      assert.equal(res.body.agent_id, agentId);
      // The secret decides the agent: a query naming another one is ignored.
      const c = await connect(h, `agent_id=${otherAgentId}&model=gpt-realtime`, {
        authorization: `Bearer ${res.body.value}`,
      });
      const created = await c.waitFor('session.created');
      assert.equal(created.session.instructions, 'You answer questions about orders.');
      c.ws.close();
      const reused = await refused(connect(h, '', { authorization: `Bearer ${res.body.value}` }));
      assert.deepEqual([reused.status, reused.body.code], [401, 'realtime_secret_invalid']);

      const late = await h.api.request('POST', '/v1/realtime/sessions', { key, body: { product: 'bolt' } });
      assert.equal(late.status, 201);
      await h.api.deps.store.db
        .updateTable('realtime_secrets')
        .set({ expires_at: '2000-01-01T00:00:00.000Z' })
        .where('used_at', 'is', null)
        .execute();
      const expired = await refused(connect(h, '', { authorization: `Bearer ${late.body.value}` }));
      assert.deepEqual([expired.status, expired.body.code], [401, 'realtime_secret_invalid']);

      const foreign = await h.api.request('POST', '/v1/realtime/sessions', { key, body: { agent_id: otherAgentId } });
      assert.deepEqual([foreign.status, foreign.body.code], [404, 'agent_not_found']);
      const bad = await h.api.request('POST', '/v1/realtime/sessions', { key, body: { product: 'turbo' } });
      assert.deepEqual([bad.status, bad.body.code], [400, 'realtime_invalid_parameter']);
      const rows = await h.api.deps.store.db.selectFrom('realtime_secrets').selectAll().execute();
      assert.ok(
        rows.every((r) => !r.secret_hash.includes(res.body.value)),
        'only hashes are stored',
      );
    });

    test("the console's session cookie opens a socket only from this server's origin", async () => {
      const signIn = await h.api.request('POST', '/console/session', {
        body: { key },
        headers: { 'x-thunderphone-console': '1' },
      });
      assert.equal(signIn.status, 201, signIn.text);
      const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
      const evil = await refused(connect(h, 'model=spark', { cookie, origin: 'https://evil.example' }));
      assert.deepEqual([evil.status, evil.body.code], [403, 'realtime_origin_not_allowed']);
      const none = await refused(connect(h, 'model=spark', { cookie }));
      assert.equal(none.status, 403);
      const c = await connect(h, 'model=spark', { cookie, origin: h.origin });
      await c.waitFor('session.created');
      c.ws.close();
    });

    test('an abrupt disconnect mid-answer ends the session and bills it exactly once', async () => {
      const c = await connect(h, 'model=spark', bearer());
      await c.waitFor('session.created');
      const id = callIdOf(c);
      c.send({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Tell me a story' }] },
      });
      c.send({ type: 'response.create' });
      await c.waitFor('response.output_audio.delta');
      c.ws.terminate();
      await until('finalized', async () => (await callRow(id))?.status === 'completed');
      const row = (await callRow(id))!;
      assert.equal(row.end_reason, 'caller_hangup');
      const db = h.api.deps.store.db;
      const ledger = await db.selectFrom('ledger_entries').selectAll().where('call_id', '=', id).execute();
      assert.equal(ledger.length, 1);
      assert.equal(ledger[0]!.amount_cents, -2);
      const hooks = await db.selectFrom('webhook_events').selectAll().where('type', '=', 'web.complete').execute();
      assert.equal(hooks.filter((e) => JSON.parse(e.data).call_id === id).length, 1);
      const hold = await db.selectFrom('balance_holds').selectAll().where('call_id', '=', id).executeTakeFirst();
      assert.equal(hold?.status, 'settled');
    });

    test("the org's concurrency limit counts realtime sessions: one over it is refused 429, a slot freed admits again", async () => {
      const limited = await h.api.createOrg({ balanceCents: 500 });
      const db = h.api.deps.store.db;
      await db.updateTable('orgs').set({ max_concurrent_calls: 1 }).where('id', '=', limited.id).execute();
      const auth = { authorization: `Bearer ${limited.apiKey}` };
      const first = await connect(h, 'model=spark', auth);
      await first.waitFor('session.created');
      const over = await refused(connect(h, 'model=spark', auth));
      assert.equal(over.status, 429, JSON.stringify(over.body));
      assert.equal(over.body.code, 'realtime_concurrency_limit');
      const id = callIdOf(first);
      first.ws.close();
      await until('first session ended', async () => (await callRow(id))?.status !== 'in_progress');
      const again = await connect(h, 'model=spark', auth);
      await again.waitFor('session.created');
      again.ws.close();
      const rows = await db.selectFrom('calls').select('id').where('org_id', '=', limited.id).execute();
      assert.equal(rows.length, 2, 'the refused upgrade made no call');
    });

    // Last: draining cannot be undone on this server.
    test('a draining server (SIGTERM) opens no new session: 503 server_draining', async () => {
      h.api.deps.drain.begin(new Date().toISOString(), new Date(Date.now() + 60_000).toISOString());
      const r = await refused(connect(h, 'model=spark', bearer()));
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.equal(r.body.code, 'server_draining');
      assert.equal(r.body.retry_after_s, 30);
    });
  });
}
