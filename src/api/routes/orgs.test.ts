import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../../test/support/api-harness';

describeApi('orgs API', (h) => {
  test("GET /v1/orgs/ lists only the key's org, as owner (with and without trailing slash)", async () => {
    const org = await h().createOrg({ name: 'Acme' });
    await h().createOrg({ name: 'Other' });
    for (const url of ['/v1/orgs/', '/v1/orgs']) {
      const res = await h().request('GET', url, { key: org.apiKey });
      assert.equal(res.status, 200);
      assert.equal(res.body.length, 1);
      assert.equal(res.body[0].id, org.id);
      assert.equal(res.body[0].name, 'Acme');
      assert.equal(res.body[0].role, 'owner');
      assert.match(res.body[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  test('GET and PATCH /v1/orgs/{id}/ read and rename the org', async () => {
    const org = await h().createOrg({ name: 'Acme' });
    const got = await h().request('GET', `/v1/orgs/${org.id}/`, { key: org.apiKey });
    assert.equal(got.status, 200);
    assert.equal(got.body.name, 'Acme');
    const renamed = await h().request('PATCH', `/v1/orgs/${org.id}/`, { key: org.apiKey, body: { name: 'Acme Inc' } });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.name, 'Acme Inc');
    assert.equal((await h().request('GET', `/v1/orgs/${org.id}`, { key: org.apiKey })).body.name, 'Acme Inc');
  });

  test('bad names are field errors and change nothing', async () => {
    const org = await h().createOrg({ name: 'Acme' });
    for (const body of [{ name: '' }, { name: '   ' }, { name: 'x'.repeat(121) }, { name: 'ok', plan: 'gold' }]) {
      const res = await h().request('PATCH', `/v1/orgs/${org.id}/`, { key: org.apiKey, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(Array.isArray(res.body.name ?? res.body.plan), res.text);
    }
    assert.equal((await h().request('GET', `/v1/orgs/${org.id}/`, { key: org.apiKey })).body.name, 'Acme');
  });

  test("another org's id is a 404 for read and rename", async () => {
    const a = await h().createOrg({ name: 'A' });
    const b = await h().createOrg({ name: 'B' });
    assert.equal((await h().request('GET', `/v1/orgs/${b.id}/`, { key: a.apiKey })).status, 404);
    assert.equal(
      (await h().request('PATCH', `/v1/orgs/${b.id}/`, { key: a.apiKey, body: { name: 'pwned' } })).status,
      404,
    );
    assert.equal((await h().request('GET', `/v1/orgs/${b.id}/`, { key: b.apiKey })).body.name, 'B');
    assert.equal((await h().request('GET', '/v1/orgs/')).status, 401);
  });
});

describeApi('API keys API', (h) => {
  test('create shows the raw key once; list shows prefix and state but never the key', async () => {
    const org = await h().createOrg();
    const res = await h().request('POST', '/v1/developer/api-keys', { key: org.apiKey, body: { name: 'CI' } });
    assert.equal(res.status, 201);
    assert.match(res.body.key, /^sk_live_[0-9a-f]{48}$/);
    assert.equal(res.body.key_prefix, res.body.key.slice(0, 15));
    assert.equal(res.body.is_active, true);
    assert.equal(res.body.revoked_at, null);
    const list = await h().request('GET', '/v1/developer/api-keys', { key: res.body.key });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.map((k: any) => k.name).sort(), ['CI', 'Default key']);
    assert.ok(!list.text.includes(res.body.key), 'the raw key is never listed');
    assert.ok(list.body.every((k: any) => !('key' in k) && !('key_hash' in k)));
    const row = await h()
      .deps.store.db.selectFrom('api_keys')
      .selectAll()
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(row.key_hash, res.body.key, 'stored hashed');
    assert.ok(!JSON.stringify(row).includes(res.body.key));
  });

  test('default name; last_used_at is set once the key is used', async () => {
    const org = await h().createOrg();
    const res = await h().request('POST', '/v1/developer/api-keys', { key: org.apiKey });
    assert.equal(res.status, 201);
    assert.equal(res.body.name, 'Default key');
    assert.equal(res.body.last_used_at, null);
    await h().request('GET', '/v1/orgs/', { key: res.body.key });
    let used: string | null = null;
    for (let i = 0; i < 50 && used === null; i++) {
      const row = await h()
        .deps.store.db.selectFrom('api_keys')
        .select('last_used_at')
        .where('id', '=', res.body.id)
        .executeTakeFirstOrThrow();
      used = row.last_used_at;
      if (used === null) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(used !== null);
  });

  test('bad names are 400', async () => {
    const org = await h().createOrg();
    for (const body of [{ name: '' }, { name: 'x'.repeat(121) }, { name: 'a', scope: 'all' }]) {
      assert.equal((await h().request('POST', '/v1/developer/api-keys', { key: org.apiKey, body })).status, 400);
    }
  });

  test('a revoked key gets 401 at once, also when it revokes itself', async () => {
    const org = await h().createOrg();
    const k1 = (await h().request('POST', '/v1/developer/api-keys', { key: org.apiKey, body: { name: 'one' } })).body;
    assert.equal((await h().request('GET', '/v1/orgs/', { key: k1.key })).status, 200);
    assert.equal((await h().request('DELETE', `/v1/developer/api-keys/${k1.id}`, { key: org.apiKey })).status, 204);
    assert.equal((await h().request('GET', '/v1/orgs/', { key: k1.key })).status, 401);
    const list = await h().request('GET', '/v1/developer/api-keys', { key: org.apiKey });
    const revoked = list.body.find((k: any) => k.id === k1.id);
    assert.equal(revoked.is_active, false);
    assert.ok(revoked.revoked_at);
    const self = (await h().request('GET', '/v1/developer/api-keys', { key: org.apiKey })).body.find(
      (k: any) => k.name === 'Default key',
    );
    assert.equal((await h().request('DELETE', `/v1/developer/api-keys/${self.id}`, { key: org.apiKey })).status, 204);
    assert.equal((await h().request('GET', '/v1/orgs/', { key: org.apiKey })).status, 401);
  });

  test("another org's keys cannot be seen or revoked", async () => {
    const a = await h().createOrg();
    const b = await h().createOrg();
    const bKeys = (await h().request('GET', '/v1/developer/api-keys', { key: b.apiKey })).body;
    const aList = await h().request('GET', '/v1/developer/api-keys', { key: a.apiKey });
    assert.ok(aList.body.every((k: any) => !bKeys.some((bk: any) => bk.id === k.id)));
    assert.equal((await h().request('DELETE', `/v1/developer/api-keys/${bKeys[0].id}`, { key: a.apiKey })).status, 404);
    assert.equal((await h().request('GET', '/v1/orgs/', { key: b.apiKey })).status, 200, 'still active');
    assert.equal(
      (await h().request('DELETE', '/v1/developer/api-keys/00000000-0000-4000-8000-000000000000', { key: a.apiKey }))
        .status,
      404,
    );
  });
});
