import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../../test/support/api-harness';
import { TRUNK, createAgent, createTrunk } from '../../../test/support/numbers-flow';
import { BAD_CREDENTIALS, ScriptedTrunkVerifier, UNREACHABLE } from '../../numbers/testing/scripted-trunk-verifier';
import { FakeClock } from '../../shared/clock';
import { startNumberWorkers } from '../../numbers/start-number-workers';

const verifier = new ScriptedTrunkVerifier();
const clock = new FakeClock('2026-03-01T10:00:00.000Z');
const POOL = '+14155550100,+14155550101,+12125550100';

async function importOne(h: any, org: any, number: string, password = 'secret'): Promise<any> {
  verifier.fallback = { reachable: true, credentialsValid: true, outboundAuthorized: true };
  const conn = await createTrunk(h, org, { ...TRUNK, credentials: { username: 'alice', password } });
  const res = await h.request('POST', `/v1/voip-connections/${conn.id}/import-numbers`, {
    key: org.apiKey,
    body: { numbers: [number] },
  });
  assert.equal(res.status, 201, res.text);
  return res.body[0];
}

describeApi(
  'phone numbers API',
  (h) => {
    test('POST hands out a demo number: provisioning, then active on a read ≥1 s later; pool exhaustion is 409', async () => {
      const org = await h().createOrg();
      const res = await h().request('POST', '/v1/phone-numbers', { key: org.apiKey });
      assert.equal(res.status, 201, res.text);
      const n = res.body;
      assert.deepEqual(
        {
          number: n.number,
          source: n.source,
          status: n.status,
          v: n.voip_verification_status,
          out: n.outbound_eligible,
          conn: n.voip_connection_id,
        },
        { number: '+14155550100', source: 'demo', status: 'provisioning', v: null, out: false, conn: null },
      );
      assert.equal(
        (await h().request('GET', `/v1/phone-numbers/${n.id}`, { key: org.apiKey })).body.status,
        'provisioning',
      );
      clock.advance(1000);
      assert.equal((await h().request('GET', `/v1/phone-numbers/${n.id}`, { key: org.apiKey })).body.status, 'active');
      const byArea = await h().request('POST', '/v1/phone-numbers', {
        key: org.apiKey,
        body: { area_code: '212', state: 'NY' },
      });
      assert.equal(byArea.body.number, '+12125550100');
      const noArea = await h().request('POST', '/v1/phone-numbers', { key: org.apiKey, body: { area_code: '212' } });
      assert.equal(noArea.status, 409);
      assert.equal(noArea.body.code, 'demo_pool_exhausted');
      assert.match(noArea.body.detail, /212/);
      const other = await h().createOrg();
      assert.equal((await h().request('POST', '/v1/phone-numbers', { key: other.apiKey })).body.number, '+14155550101');
      const empty = await h().request('POST', '/v1/phone-numbers', { key: other.apiKey });
      assert.equal(empty.status, 409);
      assert.equal(empty.body.code, 'demo_pool_exhausted');
      const bad = await h().request('POST', '/v1/phone-numbers', { key: other.apiKey, body: { area_code: '12' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body, { area_code: ['Must be a 3-digit US area code.'] });
      assert.deepEqual((await h().request('POST', '/v1/phone-numbers', { key: other.apiKey, body: { foo: 1 } })).body, {
        foo: ['Unknown field.'],
      });
      // A demo number needs no verification.
      const demoVerify = await h().request('POST', `/v1/phone-numbers/${n.id}/verify-voip`, { key: org.apiKey });
      assert.equal(demoVerify.status, 400);
      assert.equal(demoVerify.body.code, 'not_a_voip_number');
      // DELETE releases: visible as released, gone from the list, and back in the pool.
      assert.equal((await h().request('DELETE', `/v1/phone-numbers/${n.id}`, { key: org.apiKey })).status, 204);
      const released = await h().request('GET', `/v1/phone-numbers/${n.id}`, { key: org.apiKey });
      assert.equal(released.body.status, 'released');
      assert.deepEqual(
        (await h().request('GET', '/v1/phone-numbers', { key: org.apiKey })).body.map((x: any) => x.number),
        ['+12125550100'],
      );
      assert.equal((await h().request('DELETE', `/v1/phone-numbers/${n.id}`, { key: org.apiKey })).status, 404);
      const again = await h().request('POST', '/v1/phone-numbers', { key: other.apiKey });
      assert.equal(again.status, 201);
      assert.equal(again.body.number, '+14155550100');
    });

    test("PATCH assigns own agents and a label; other orgs' or deleted agents are 400; null clears", async () => {
      const org = await h().createOrg();
      const other = await h().createOrg();
      const n = await importOne(h(), org, '+15557770001');
      const agent = await createAgent(h(), org);
      const foreign = await createAgent(h(), other);
      const url = `/v1/phone-numbers/${n.id}`;
      const ok = await h().request('PATCH', url, {
        key: org.apiKey,
        body: { inbound_agent_id: agent.id, outbound_agent_id: agent.id, label: 'Sales' },
      });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(
        [ok.body.inbound_agent_id, ok.body.outbound_agent_id, ok.body.label],
        [agent.id, agent.id, 'Sales'],
      );
      const bad = await h().request('PATCH', url, {
        key: org.apiKey,
        body: { outbound_agent_id: foreign.id, label: 'x' },
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body, { outbound_agent_id: ['Agent not found.'] });
      assert.equal((await h().request('GET', url, { key: org.apiKey })).body.label, 'Sales');
      const unknown = await h().request('PATCH', url, { key: org.apiKey, body: { status: 'active' } });
      assert.equal(unknown.status, 400);
      const gone = await createAgent(h(), org);
      await h().request('DELETE', `/v1/agents/${gone.id}`, { key: org.apiKey });
      assert.equal(
        (await h().request('PATCH', url, { key: org.apiKey, body: { inbound_agent_id: gone.id } })).status,
        400,
      );
      const cleared = await h().request('PATCH', url, {
        key: org.apiKey,
        body: { inbound_agent_id: null, label: null },
      });
      assert.deepEqual(
        [cleared.body.inbound_agent_id, cleared.body.outbound_agent_id, cleared.body.label],
        [null, agent.id, null],
      );
    });

    test('verify-voip: verified + active when the trunk passes; failed with a reason otherwise', async () => {
      const org = await h().createOrg();
      const n = await importOne(h(), org, '+15557770002');
      const before = verifier.requests.length;
      const ok = await h().request('POST', `/v1/phone-numbers/${n.id}/verify-voip`, { key: org.apiKey });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(
        [
          ok.body.voip_verification_status,
          ok.body.status,
          ok.body.outbound_eligible,
          ok.body.voip_verification_error,
          ok.body.voip_last_verified_at,
        ],
        ['verified', 'active', true, null, clock.nowIso()],
      );
      assert.equal(verifier.requests.length, before + 1);
      assert.deepEqual(verifier.requests.at(-1), {
        host: '127.0.0.1',
        port: 5060,
        transport: 'udp',
        username: 'alice',
        password: 'secret',
        number: '+15557770002',
      });
      for (const [outcome, re] of [
        [BAD_CREDENTIALS, /rejected the credentials/],
        [UNREACHABLE, /did not answer/],
      ] as const) {
        verifier.fallback = outcome;
        const failed = await h().request('POST', `/v1/phone-numbers/${n.id}/verify-voip`, { key: org.apiKey });
        assert.equal(failed.status, 200);
        assert.equal(failed.body.voip_verification_status, 'failed');
        assert.equal(failed.body.status, 'failed');
        assert.equal(failed.body.outbound_eligible, false);
        assert.match(failed.body.voip_verification_error, re);
      }
      verifier.failWith = new Error('socket exploded');
      const crashed = await h().request('POST', `/v1/phone-numbers/${n.id}/verify-voip`, { key: org.apiKey });
      assert.equal(crashed.status, 200);
      assert.match(crashed.body.voip_verification_error, /socket exploded/);
      verifier.failWith = undefined;
      verifier.fallback = { reachable: true, credentialsValid: true, outboundAuthorized: true };
      assert.equal(
        (await h().request('POST', `/v1/phone-numbers/${n.id}/verify-voip`, { key: org.apiKey })).body.status,
        'active',
      );
    });

    test('tenant isolation: another org gets 404 on every number route', async () => {
      const org = await h().createOrg();
      const other = await h().createOrg();
      const n = await importOne(h(), org, '+15557770003');
      for (const [method, url, body] of [
        ['GET', `/v1/phone-numbers/${n.id}`, undefined],
        ['PATCH', `/v1/phone-numbers/${n.id}`, { label: 'mine' }],
        ['DELETE', `/v1/phone-numbers/${n.id}`, undefined],
        ['POST', `/v1/phone-numbers/${n.id}/verify-voip`, undefined],
      ] as const) {
        const res = await h().request(method, url, { key: other.apiKey, body });
        assert.equal(res.status, 404, `${method} ${url}`);
        assert.equal(res.body.code, 'phone_number_not_found');
      }
      assert.deepEqual((await h().request('GET', '/v1/phone-numbers', { key: other.apiKey })).body, []);
      assert.equal((await h().request('GET', '/v1/phone-numbers')).status, 401);
      assert.equal((await h().request('GET', `/v1/phone-numbers/${n.id}`, { key: org.apiKey })).body.label, null);
    });
  },
  { clock, env: { DEMO_NUMBERS: POOL }, customize: (deps) => void (deps.trunkVerifier = verifier) },
);

describeApi(
  'demo number activation job',
  (h) => {
    test('the numbers.activate job turns a handed-out demo number active without any read', async () => {
      await startNumberWorkers(h().deps);
      const org = await h().createOrg();
      const res = await h().request('POST', '/v1/phone-numbers', { key: org.apiKey });
      assert.equal(res.body.status, 'provisioning');
      const db = h().deps.store.db;
      let status = 'provisioning';
      for (let i = 0; i < 100 && status !== 'active'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = (
          await db.selectFrom('phone_numbers').select('status').where('id', '=', res.body.id).executeTakeFirstOrThrow()
        ).status;
      }
      assert.equal(status, 'active');
    });
  },
  { env: { DEMO_NUMBERS: '+14155550199' }, startQueue: true },
);

describeApi(
  'demo pool under concurrent requests',
  (h) => {
    test('four orgs asking for the last free demo number at once: one gets it, the others 409', async () => {
      const orgs = await Promise.all([1, 2, 3, 4].map(() => h().createOrg()));
      const results = await Promise.all(orgs.map((o) => h().request('POST', '/v1/phone-numbers', { key: o.apiKey })));
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409]);
      for (const r of results.filter((x) => x.status === 409)) assert.equal(r.body.code, 'demo_pool_exhausted');
      const held = await h()
        .deps.store.db.selectFrom('phone_numbers')
        .select('org_id')
        .where('number', '=', '+14155550177')
        .where('released_at', 'is', null)
        .execute();
      assert.equal(held.length, 1);
    });
  },
  { env: { DEMO_NUMBERS: '+14155550177' } },
);
