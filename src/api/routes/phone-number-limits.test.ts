import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../../test/support/api-harness';
import { verifiedNumber } from '../../../test/support/numbers-flow';
import { ScriptedTrunkVerifier } from '../../numbers/testing/scripted-trunk-verifier';

const verifier = new ScriptedTrunkVerifier();
const POOL = ['+14155550170', '+14155550171'];
const SKILL = { 'x-thunderphone-client': 'skills/get-phone-number@1.0' };

describeApi(
  'GET /v1/phone-numbers/limits',
  (h) => {
    test('get-phone-number skill: check capacity, provision, attach; usage follows; release frees it', async () => {
      const org = await h().createOrg();
      const other = await h().createOrg();
      const limits = async (key = org.apiKey) => {
        const res = await h().request('GET', '/v1/phone-numbers/limits', { key, headers: SKILL });
        assert.equal(res.status, 200, res.text);
        return res.body;
      };
      assert.deepEqual(await limits(), {
        max_numbers: null,
        used: 0,
        remaining: null,
        by_source: { demo: 0, voip: 0 },
        demo_pool: { size: 2, available: 2 },
      });
      const provisioned = await h().request('POST', '/v1/phone-numbers', {
        key: org.apiKey,
        headers: SKILL,
        body: { area_code: '415' },
      });
      assert.equal(provisioned.status, 201, provisioned.text);
      await verifiedNumber(h(), org, '+15557770001');
      assert.deepEqual(await limits(), {
        max_numbers: null,
        used: 2,
        remaining: null,
        by_source: { demo: 1, voip: 1 },
        demo_pool: { size: 2, available: 1 },
      });
      // Another org sees its own usage, and the shared pool as it is.
      assert.deepEqual([(await limits(other.apiKey)).used, (await limits(other.apiKey)).demo_pool.available], [0, 1]);
      assert.equal(
        (await h().request('DELETE', `/v1/phone-numbers/${provisioned.body.id}`, { key: org.apiKey })).status,
        204,
      );
      const after = await limits();
      assert.deepEqual([after.used, after.by_source.demo, after.demo_pool.available], [1, 0, 2]);
      assert.equal((await h().request('GET', '/v1/phone-numbers/limits')).status, 401);
    });

    test('/limits is no id: other methods on it, and non-numeric ids anywhere, are 404 route_not_found', async () => {
      const org = await h().createOrg();
      for (const [method, url] of [
        ['PATCH', '/v1/phone-numbers/limits'],
        ['DELETE', '/v1/phone-numbers/limits'],
        ['POST', '/v1/phone-numbers/limits/verify-voip'],
        ['GET', '/v1/agents/abc'],
        ['GET', '/v1/calls/latest'],
      ] as const) {
        const res = await h().request(method, url, { key: org.apiKey, body: method === 'GET' ? undefined : {} });
        assert.deepEqual([res.status, res.body], [404, { detail: 'Not found.', code: 'route_not_found' }], url);
      }
    });
  },
  { env: { DEMO_NUMBERS: POOL.join(',') }, customize: (deps) => void (deps.trunkVerifier = verifier) },
);
