import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi, type ApiHarness, type TestOrg } from '../../../test/support/api-harness';
import { createAgent, verifiedNumber } from '../../../test/support/numbers-flow';
import { dialJobPayloads } from '../../../test/support/dial-jobs';
import { ScriptedTrunkVerifier } from '../../numbers/testing/scripted-trunk-verifier';

const verifier = new ScriptedTrunkVerifier();
let seq = 0;
const nextNumber = () => `+1555444${String(1000 + ++seq)}`;
const TO = '+14155550199';

interface Setup {
  org: TestOrg;
  from: string;
  agent: any;
  numberId: number;
}

async function setup(h: ApiHarness, options: { balanceCents?: number; trial?: boolean } = {}): Promise<Setup> {
  const org = await h.createOrg({ balanceCents: options.balanceCents ?? 1000, trial: options.trial ?? false });
  const from = nextNumber();
  const number = await verifiedNumber(h, org, from);
  const agent = await createAgent(h, org, {
    outbound_speak_order: 'caller_first',
    max_hold_seconds: 90,
    product: 'bolt',
  });
  return { org, from, agent, numberId: number.id };
}

async function counts(h: ApiHarness): Promise<[number, number]> {
  const calls = await h.deps.store.db.selectFrom('calls').select('id').execute();
  return [calls.length, (await dialJobPayloads(h)).length];
}

describeApi(
  'POST /v1/call',
  (h) => {
    test('201 initiated: call row in_progress with the resolved config, and a calls.dial job', async () => {
      const s = await setup(h());
      const res = await h().request('POST', '/v1/call', {
        key: s.org.apiKey,
        body: {
          from_number: s.from,
          to_number: TO,
          agent_id: s.agent.id,
          max_hold_seconds: 30,
          variables: { name: 'Ada', order: 42 },
        },
      });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['call_id', 'status']);
      assert.equal(res.body.status, 'initiated');
      const row = await h()
        .deps.store.db.selectFrom('calls')
        .selectAll()
        .where('id', '=', res.body.call_id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [
          row.status,
          row.phase,
          row.direction,
          row.from_number,
          row.to_number,
          Number(row.agent_id),
          Number(row.org_id),
          row.product,
          row.voice,
          row.max_hold_seconds,
        ],
        ['in_progress', null, 'outbound', s.from, TO, s.agent.id, s.org.id, 'bolt', 'en-US-James1', 30],
      );
      const cfg = JSON.parse(row.config);
      assert.equal(cfg.prompt, 'You call Ada about order 42.');
      assert.deepEqual(
        [
          cfg.source,
          cfg.agent_id,
          cfg.speak_order,
          cfg.max_hold_seconds,
          cfg.primary_language,
          cfg.product,
          cfg.voice,
          cfg.acknowledgement_prompt_mode,
        ],
        ['agent', s.agent.id, 'caller_first', 30, 'en-US', 'bolt', 'en-US-James1', 'auto'],
      );
      assert.deepEqual(cfg.tools, []);
      assert.deepEqual(JSON.parse(row.variables), { name: 'Ada', order: 42 });
      assert.ok((await dialJobPayloads(h())).some((p) => p.callId === res.body.call_id));
      const call = await h().request('GET', `/v1/calls/${res.body.call_id}`, { key: s.org.apiKey });
      assert.equal(call.body.status, 'in_progress');
      assert.equal(call.body.agent_id, s.agent.id);
    });

    test("without agent_id or config the number's outbound agent is used; none set is a 400", async () => {
      const s = await setup(h());
      const none = await h().request('POST', '/v1/call', {
        key: s.org.apiKey,
        body: { from_number: s.from, to_number: TO },
      });
      assert.equal(none.status, 400);
      assert.equal(none.body.code, 'outbound_agent_missing');
      await h().request('PATCH', `/v1/phone-numbers/${s.numberId}`, {
        key: s.org.apiKey,
        body: { outbound_agent_id: s.agent.id },
      });
      const res = await h().request('POST', '/v1/call', {
        key: s.org.apiKey,
        body: { from_number: s.from, to_number: TO },
      });
      assert.equal(res.status, 201, res.text);
      const row = await h()
        .deps.store.db.selectFrom('calls')
        .selectAll()
        .where('id', '=', res.body.call_id)
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.agent_id), s.agent.id);
      const cfg = JSON.parse(row.config);
      assert.equal(cfg.source, 'number_outbound_agent');
      assert.equal(cfg.max_hold_seconds, 90);
      assert.equal(cfg.prompt, 'You call {{name}} about order {{order}}.');
    });

    test('inline config is validated like a call.incoming response (unknown keys rejected)', async () => {
      const s = await setup(h());
      const config = { prompt: 'Remind {{name}} of the appointment.', voice_name: 'en-US-James1', product: 'spark' };
      const res = await h().request('POST', '/v1/call', {
        key: s.org.apiKey,
        body: { from_number: s.from, to_number: TO, config, variables: { name: 'Bo' } },
      });
      assert.equal(res.status, 201, res.text);
      const row = await h()
        .deps.store.db.selectFrom('calls')
        .selectAll()
        .where('id', '=', res.body.call_id)
        .executeTakeFirstOrThrow();
      assert.equal(row.agent_id, null);
      const cfg = JSON.parse(row.config);
      assert.deepEqual(
        [cfg.source, cfg.prompt, cfg.speak_order, cfg.max_hold_seconds],
        ['inline', 'Remind Bo of the appointment.', 'agent_first', null],
      );
      const [calls, jobs] = await counts(h());
      const bad = await h().request('POST', '/v1/call', {
        key: s.org.apiKey,
        body: {
          from_number: s.from,
          to_number: TO,
          config: { prompt: 'x', voice: 'en-US-James1', max_hold_seconds: 10, outbound_speak_order: 'caller_first' },
        },
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body, {
        'config.max_hold_seconds': ['Unknown field.'],
        'config.outbound_speak_order': ['Unknown field.'],
      });
      const missing = await h().request('POST', '/v1/call', {
        key: s.org.apiKey,
        body: { from_number: s.from, to_number: TO, config: { voice: 'nope' } },
      });
      assert.equal(missing.status, 400);
      assert.ok(missing.body['config.prompt'] && missing.body['config.voice'], missing.text);
      assert.deepEqual(await counts(h()), [calls, jobs]);
    });

    test('400s: exact messages, E.164, unknown fields, variables, idempotency_key, max_hold_seconds', async () => {
      const s = await setup(h());
      const [calls, jobs] = await counts(h());
      const post = (body: unknown) => h().request('POST', '/v1/call', { key: s.org.apiKey, body });
      for (const body of [
        {},
        { from_number: s.from },
        { to_number: TO, agent_id: s.agent.id },
        { from_number: '', to_number: TO },
      ]) {
        const res = await post(body);
        assert.equal(res.status, 400);
        assert.equal(res.body.detail, 'from_number and to_number are required');
      }
      const e164 = await post({ from_number: '5551234567', to_number: '+1-415-555', agent_id: s.agent.id });
      assert.equal(e164.status, 400);
      assert.deepEqual(Object.keys(e164.body).sort(), ['from_number', 'to_number']);
      const both = await post({
        from_number: s.from,
        to_number: TO,
        agent_id: s.agent.id,
        config: { prompt: 'x', voice: 'en-US-James1' },
      });
      assert.equal(both.status, 400);
      assert.equal(both.body.detail, 'Provide either agent_id or config, not both');
      const many = await post({
        from_number: s.from,
        to_number: TO,
        agent_id: s.agent.id,
        callback: 'x',
        variables: { ok: 'y', nested: { a: 1 } },
        idempotency_key: 'k'.repeat(129),
        max_hold_seconds: 99999,
      });
      assert.equal(many.status, 400);
      assert.deepEqual(Object.keys(many.body).sort(), [
        'callback',
        'idempotency_key',
        'max_hold_seconds',
        'variables.nested',
      ]);
      assert.equal(
        (await post({ from_number: s.from, to_number: TO, agent_id: s.agent.id, variables: ['a'] })).status,
        400,
      );
      assert.deepEqual(await counts(h()), [calls, jobs]);
    });

    test('404s: from_number of no org or another org; agent unknown, deleted or of another org', async () => {
      const s = await setup(h());
      const other = await setup(h());
      const post = (body: unknown) => h().request('POST', '/v1/call', { key: s.org.apiKey, body });
      for (const from of ['+15550000000', other.from]) {
        const res = await post({ from_number: from, to_number: TO, agent_id: s.agent.id });
        assert.equal(res.status, 404);
        assert.equal(res.body.detail, 'from_number is not registered to this organization');
      }
      const deleted = await createAgent(h(), s.org);
      await h().request('DELETE', `/v1/agents/${deleted.id}`, { key: s.org.apiKey });
      for (const agentId of [other.agent.id, deleted.id, 999999]) {
        const res = await post({ from_number: s.from, to_number: TO, agent_id: agentId });
        assert.equal(res.status, 404);
        assert.equal(res.body.detail, 'Agent not found');
      }
      // agent_id as a string (as env-driven clients send it) works.
      assert.equal((await post({ from_number: s.from, to_number: TO, agent_id: String(s.agent.id) })).status, 201);
    });

    test('403 demo number / unverified number / trial org (the message says which), 402 at balance ≤ 0', async () => {
      const s = await setup(h());
      const post = (org: TestOrg, from: string, agentId: number) =>
        h().request('POST', '/v1/call', {
          key: org.apiKey,
          body: { from_number: from, to_number: TO, agent_id: agentId },
        });
      const demo = await h().request('POST', '/v1/phone-numbers', { key: s.org.apiKey });
      assert.equal(demo.status, 201, demo.text);
      const d = await post(s.org, demo.body.number, s.agent.id);
      assert.equal(d.status, 403);
      assert.match(d.body.detail, /demo number/);
      const conn = (await h().request('GET', '/v1/voip-connections', { key: s.org.apiKey })).body[0];
      const unverified = nextNumber();
      await h().request('POST', `/v1/voip-connections/${conn.id}/import-numbers`, {
        key: s.org.apiKey,
        body: { numbers: [unverified] },
      });
      const u = await post(s.org, unverified, s.agent.id);
      assert.equal(u.status, 403);
      assert.match(u.body.detail, /unverified VoIP number/);
      const trial = await setup(h(), { trial: true });
      const t = await post(trial.org, trial.from, trial.agent.id);
      assert.equal(t.status, 403);
      assert.match(t.body.detail, /trial/);
      for (const balance of [0, -5]) {
        const poor = await setup(h(), { balanceCents: balance });
        const p = await post(poor.org, poor.from, poor.agent.id);
        assert.equal(p.status, 402);
        assert.equal(p.body.detail, 'Insufficient balance');
      }
    });

    test('idempotency_key: same body replays, another body is 409, concurrent requests make one call', async () => {
      const s = await setup(h());
      const body = { from_number: s.from, to_number: TO, agent_id: s.agent.id, idempotency_key: 'order-42' };
      const first = await h().request('POST', '/v1/call', { key: s.org.apiKey, body });
      assert.equal(first.status, 201);
      const [calls, jobs] = await counts(h());
      const replay = await h().request('POST', '/v1/call', { key: s.org.apiKey, body: { ...body } });
      assert.equal(replay.status, 201);
      assert.deepEqual(replay.body, { call_id: first.body.call_id, status: 'initiated', idempotent_replay: true });
      const conflict = await h().request('POST', '/v1/call', {
        key: s.org.apiKey,
        body: { ...body, to_number: '+14155550100' },
      });
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body.code, 'idempotency_key_reused');
      assert.match(conflict.body.detail, /different request body/);
      assert.deepEqual(await counts(h()), [calls, jobs]);
      // Another org may use the same key independently.
      const other = await setup(h());
      const theirs = await h().request('POST', '/v1/call', {
        key: other.org.apiKey,
        body: { ...body, from_number: other.from, agent_id: other.agent.id },
      });
      assert.equal(theirs.status, 201);
      assert.notEqual(theirs.body.call_id, first.body.call_id);
      // Concurrent requests with one fresh key: one call.
      const concurrent = { ...body, idempotency_key: 'burst-1' };
      const results = await Promise.all(
        Array.from({ length: 6 }, () => h().request('POST', '/v1/call', { key: s.org.apiKey, body: concurrent })),
      );
      for (const r of results) assert.equal(r.status, 201, r.text);
      const ids = new Set(results.map((r) => r.body.call_id));
      assert.equal(ids.size, 1);
      assert.equal(results.filter((r) => r.body.idempotent_replay !== true).length, 1);
      const rows = await h()
        .deps.store.db.selectFrom('calls')
        .select('id')
        .where('idempotency_key', '=', 'burst-1')
        .execute();
      assert.equal(rows.length, 1);
      assert.equal((await dialJobPayloads(h())).filter((p) => ids.has(p.callId)).length, 1);
      // After 24 h the key starts a new call.
      await h()
        .deps.store.db.updateTable('calls')
        .set({ created_at: '2000-01-01T00:00:00.000Z' })
        .where('id', '=', first.body.call_id)
        .execute();
      const later = await h().request('POST', '/v1/call', { key: s.org.apiKey, body });
      assert.equal(later.status, 201);
      assert.notEqual(later.body.call_id, first.body.call_id);
      assert.equal(later.body.idempotent_replay, undefined);
    });

    test('no API key is 401', async () => {
      assert.equal(
        (await h().request('POST', '/v1/call', { body: { from_number: '+15551112222', to_number: TO } })).status,
        401,
      );
    });
  },
  { env: { DEMO_NUMBERS: '+14155550111' }, customize: (deps) => void (deps.trunkVerifier = verifier) },
);

let failDialEnqueue = false;
describeApi(
  'POST /v1/call atomicity',
  (h) => {
    test('when the dial job cannot be queued, no call row is left behind (one transaction)', async () => {
      const s = await setup(h());
      const [calls, jobs] = await counts(h());
      failDialEnqueue = true;
      try {
        const res = await h().request('POST', '/v1/call', {
          key: s.org.apiKey,
          body: { from_number: s.from, to_number: TO, agent_id: s.agent.id },
        });
        assert.equal(res.status, 500);
        assert.equal(res.body.code, 'internal_error');
      } finally {
        failDialEnqueue = false;
      }
      assert.deepEqual(await counts(h()), [calls, jobs]);
      const events = await h().deps.store.db.selectFrom('call_events').select('id').execute();
      assert.equal(events.length, 0);
      assert.equal(
        (
          await h().request('POST', '/v1/call', {
            key: s.org.apiKey,
            body: { from_number: s.from, to_number: TO, agent_id: s.agent.id },
          })
        ).status,
        201,
      );
    });
  },
  {
    customize: (deps) => {
      deps.trunkVerifier = verifier;
      const enqueue = deps.queue.enqueue.bind(deps.queue);
      deps.queue.enqueue = async (queue, payload, options) => {
        if (queue === 'calls.dial' && failDialEnqueue) throw new Error('queue unavailable');
        return enqueue(queue, payload, options);
      };
    },
  },
);
