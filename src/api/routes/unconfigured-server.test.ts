import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi, type ApiHarness } from '../../../test/support/api-harness';
import { createAgent, verifiedNumber } from '../../../test/support/numbers-flow';
import { dialJobPayloads } from '../../../test/support/dial-jobs';
import { ScriptedTrunkVerifier } from '../../numbers/testing/scripted-trunk-verifier';

const verifier = new ScriptedTrunkVerifier();

/** A valid call request on this server (verified number, saved agent). */
async function callRequest(h: ApiHarness, number: string) {
  const org = await h.createOrg();
  await verifiedNumber(h, org, number);
  const agent = await createAgent(h, org);
  return { org, body: { from_number: number, to_number: '+14155550100', agent_id: agent.id } };
}

describeApi(
  'a server without LLM_BASE_URL and STT_BASE_URL',
  (h) => {
    test('POST /v1/call is refused at once with 503 agent_not_configured naming both; nothing is created', async () => {
      const { org, body } = await callRequest(h(), '+15556660001');
      const before = await dialJobPayloads(h());
      const res = await h().request('POST', '/v1/call', { key: org.apiKey, body });
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.code, 'agent_not_configured');
      assert.match(res.body.detail, /LLM_BASE_URL/);
      assert.match(res.body.detail, /STT_BASE_URL/);
      assert.deepEqual(Object.keys(res.body).sort(), ['code', 'detail']);
      const calls = await h().deps.store.db.selectFrom('calls').select('id').where('org_id', '=', org.id).execute();
      assert.deepEqual(calls, []);
      assert.equal((await dialJobPayloads(h())).length, before.length);
    });

    test('healthz warns that calls are refused, with what the operator must set', async () => {
      const res = await h().request('GET', '/v1/healthz');
      assert.equal(res.status, 200);
      for (const [part, variable] of [
        ['llm', /LLM_BASE_URL/],
        ['stt', /STT_BASE_URL/],
      ] as const) {
        assert.equal(res.body.checks[part].status, 'warning');
        assert.match(res.body.checks[part].reason, /calls are refused/);
        assert.match(res.body.checks[part].fix, variable);
      }
    });
  },
  { env: { LLM_BASE_URL: '', STT_BASE_URL: '' }, customize: (deps) => void (deps.trunkVerifier = verifier) },
);

describeApi(
  'a server with an LLM but no STT_BASE_URL',
  (h) => {
    test('the 503 names only what is missing; healthz shows llm ok, stt warning', async () => {
      const { org, body } = await callRequest(h(), '+15556660002');
      const res = await h().request('POST', '/v1/call', { key: org.apiKey, body });
      assert.equal(res.status, 503, res.text);
      assert.match(res.body.detail, /STT_BASE_URL/);
      assert.doesNotMatch(res.body.detail, /LLM_BASE_URL/);
      const health = (await h().request('GET', '/v1/healthz')).body;
      assert.deepEqual([health.checks.llm.status, health.checks.stt.status], ['ok', 'warning']);
    });
  },
  { env: { STT_BASE_URL: '' }, customize: (deps) => void (deps.trunkVerifier = verifier) },
);
