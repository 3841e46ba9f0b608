import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeApi, type ApiHarness } from '../../test/support/api-harness';

/*
 * Bad input at the HTTP edge is a 400 with field messages (or our {"detail","code"} shape),
 * never a 500, on both dialects, and changes nothing: NUL characters (PostgreSQL text cannot
 * hold them), integers beyond 2^53, JSON nested thousands of levels deep, oversized headers.
 */
const JSON_HEADERS = { 'content-type': 'application/json' };
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const toolWithParameters = (parameters: string, url = 'https://tools.example.com/lookup') =>
  `{"type":"function","function":{"name":"lookup","description":"Look up","parameters":${parameters}},"endpoint":{"url":"${url}"}}`;
const agentBody = (tools: string) => `{"name":"Deep","prompt":"Hi","voice":"en-US-James1","tools":[${tools}]}`;
const NUL = /Null characters/;

async function agentCount(h: ApiHarness, key: string): Promise<number> {
  return ((await h.request('GET', '/v1/agents', { key })).body as unknown[]).length;
}

describeApi('HTTP edge: bad input is a 400, never a 500', (h) => {
  test('a NUL character in a JSON string or key → 400 naming the field; nothing is stored', async () => {
    const org = await h().createOrg({ name: 'Clean' });
    const k = org.apiKey;
    const agent = await h().request('POST', '/v1/agents', {
      key: k,
      body: { name: 'Front\u0000desk', prompt: 'Hi', voice: 'en-US-James1' },
    });
    assert.equal(agent.status, 400, agent.text);
    assert.match(agent.body.name?.[0] ?? '', NUL);
    const nested = await h().request('POST', '/v1/agents', {
      key: k,
      body: {
        name: 'A',
        prompt: 'Hi',
        voice: 'en-US-James1',
        tools: [{ type: 'function', function: { name: 'x\u0000' } }],
      },
    });
    assert.equal(nested.status, 400);
    assert.match(nested.body['tools.0.function.name']?.[0] ?? '', NUL);
    const key = await h().request('POST', '/v1/agents', {
      key: k,
      body: { name: 'A', prompt: 'Hi', voice: 'en-US-James1', ['x\u0000y']: 1 },
    });
    assert.equal(key.status, 400);
    assert.match(key.body['x\\u0000y']?.[0] ?? '', NUL);
    assert.equal(await agentCount(h(), k), 0);

    const endpoint = await h().request('POST', '/v1/developer/webhook-endpoints', {
      key: k,
      body: { label: 'hook\u0000', url: 'https://hooks.example.com/', events: [] },
    });
    assert.equal(endpoint.status, 400);
    assert.match(endpoint.body.label?.[0] ?? '', NUL);
    const rename = await h().request('PATCH', `/v1/orgs/${org.id}/`, { key: k, body: { name: 'Dirty\u0000' } });
    assert.equal(rename.status, 400);
    assert.equal((await h().request('GET', `/v1/orgs/${org.id}/`, { key: k })).body.name, 'Clean');
    const legacy = await h().request('PUT', '/v1/webhook', { key: k, body: { url: 'https://x.example.com/\u0000' } });
    assert.equal(legacy.status, 400);
    const call = await h().request('POST', '/v1/call', {
      key: k,
      body: { from_number: '+15551230000', to_number: '+15551230001', config: { prompt: 'Hi\u0000', voice: 'x' } },
    });
    assert.equal(call.status, 400);
    assert.match(call.body['config.prompt']?.[0] ?? '', NUL);
  });

  test('a NUL character in a path segment or query value → 400 naming the parameter', async () => {
    const org = await h().createOrg();
    const k = org.apiKey;
    for (const [method, url, field] of [
      ['PATCH', '/v1/developer/webhook-endpoints/abc%00', 'id'],
      ['DELETE', '/v1/developer/webhook-endpoints/abc%00', 'id'],
      ['GET', '/v1/calls/1%00', 'id'],
      ['GET', '/v1/agents?name=a%00b', 'name'],
      ['GET', '/v1/calls?from_number=%2B1555%00', 'from_number'],
    ] as const) {
      const res = await h().request(method, url, { key: k, ...(method === 'PATCH' ? { body: { label: 'x' } } : {}) });
      assert.equal(res.status, 400, `${method} ${url}: ${res.text}`);
      assert.match(res.body[field]?.[0] ?? '', NUL, `${method} ${url}`);
    }
  });

  test('integers beyond 2^53 in bodies and query strings → 400 naming the field', async () => {
    const org = await h().createOrg();
    const k = org.apiKey;
    for (const agentId of ['9223372036854775808', '1e20', '-9223372036854775809']) {
      const res = await h().request('POST', '/v1/call', {
        key: k,
        headers: JSON_HEADERS,
        body: `{"from_number":"+15551230000","to_number":"+15551230001","agent_id":${agentId}}`,
      });
      assert.equal(res.status, 400, `agent_id ${agentId}: ${res.text}`);
      assert.deepEqual(Object.keys(res.body), ['agent_id']);
      assert.equal(res.body.agent_id.length, 1, 'one message, not one per union branch');
    }
    for (const [url, field] of [
      ['/v1/calls?offset=99999999999999999999', 'offset'],
      ['/v1/calls?agent_id=9223372036854775808', 'agent_id'],
      ['/v1/calls?agent_id=1e20', 'agent_id'],
      ['/v1/billing/transactions?offset=99999999999999999999', 'offset'],
      ['/v1/calls/export?agent_id=99999999999999999999', 'agent_id'],
    ] as const) {
      const res = await h().request('GET', url, { key: k });
      assert.equal(res.status, 400, `${url}: ${res.text}`);
      assert.ok(res.body[field], `${url}: ${res.text}`);
    }
    const billing = await h().request('PATCH', '/v1/billing', {
      key: k,
      headers: JSON_HEADERS,
      body: '{"auto_reload_minimum_cents":9223372036854775808}',
    });
    assert.equal(billing.status, 400);
    assert.ok(billing.body.auto_reload_minimum_cents);
    assert.equal((await h().request('GET', '/v1/billing', { key: k })).body.auto_reload_minimum_cents, 0);
    const ok = await h().request('GET', `/v1/calls?offset=${Number.MAX_SAFE_INTEGER}`, { key: k });
    assert.equal(ok.status, 200, 'the largest safe integer is still fine');
  });

  test('tool parameters nested 5,000 levels deep → 400, on agents and inline call configs; nothing stored', async () => {
    const org = await h().createOrg();
    const k = org.apiKey;
    const agent = await h().request('POST', '/v1/agents', {
      key: k,
      headers: JSON_HEADERS,
      body: agentBody(toolWithParameters(deepObject(5000))),
    });
    assert.equal(agent.status, 400, agent.text);
    assert.match(agent.body.tools?.[0] ?? '', /Nested deeper than 64 levels/);
    const call = await h().request('POST', '/v1/call', {
      key: k,
      headers: JSON_HEADERS,
      body: `{"from_number":"+15551230000","to_number":"+15551230001","config":{"prompt":"Hi","voice":"en-US-James1","tools":[${toolWithParameters(deepObject(5000))}]}}`,
    });
    assert.equal(call.status, 400, call.text);
    assert.match(call.body.config?.[0] ?? '', /Nested deeper/);
    // Deeper than a tool schema may be, though within the request limit: the tool parser says so.
    const medium = await h().request('POST', '/v1/agents', {
      key: k,
      headers: JSON_HEADERS,
      body: agentBody(toolWithParameters(deepObject(40))),
    });
    assert.equal(medium.status, 400, medium.text);
    assert.match(medium.body['tools.0.function.parameters']?.[0] ?? '', /Nested deeper than 32 levels/);
    const arrays = await h().request('PATCH', `/v1/orgs/${org.id}/`, {
      key: k,
      headers: JSON_HEADERS,
      body: `{"name":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    });
    assert.equal(arrays.status, 400);
    assert.equal(await agentCount(h(), k), 0);
  });

  test('tool endpoint URLs at private addresses are refused when saved (agents, PATCH, inline configs)', async () => {
    const org = await h().createOrg();
    const k = org.apiKey;
    const refused = 'tools.0.endpoint.url';
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[::a9fe:a9fe]/', 'http://[fec0::1]/']) {
      const res = await h().request('POST', '/v1/agents', {
        key: k,
        headers: JSON_HEADERS,
        body: agentBody(toolWithParameters('{}', url)),
      });
      assert.equal(res.status, 400, `${url}: ${res.text}`);
      assert.match(res.body[refused]?.[0] ?? '', /Private network targets are not allowed/, url);
    }
    const ok = await h().request('POST', '/v1/agents', {
      key: k,
      headers: JSON_HEADERS,
      body: agentBody(toolWithParameters('{}')),
    });
    assert.equal(ok.status, 201, ok.text);
    const patch = await h().request('PATCH', `/v1/agents/${ok.body.id}`, {
      key: k,
      headers: JSON_HEADERS,
      body: `{"tools":[${toolWithParameters('{}', 'http://10.0.0.7:8080/')}]}`,
    });
    assert.equal(patch.status, 400);
    assert.ok(patch.body[refused]);
    const stored = await h().request('GET', `/v1/agents/${ok.body.id}`, { key: k });
    assert.equal(stored.body.tools[0].endpoint.url, 'https://tools.example.com/lookup');
    const call = await h().request('POST', '/v1/call', {
      key: k,
      headers: JSON_HEADERS,
      body: `{"from_number":"+15551230000","to_number":"+15551230001","config":{"prompt":"Hi","voice":"en-US-James1","tools":[${toolWithParameters('{}', 'http://[2002:a9fe:a9fe::1]/')}]}}`,
    });
    assert.equal(call.status, 400, call.text);
    assert.ok(call.body[`config.${refused}`], call.text);
  });

  test('a 100 KB query string over real HTTP → 431 in the {"detail","code"} shape', async () => {
    const app = h().app;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const res = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: `/v1/calls?q=${'a'.repeat(100_000)}`, method: 'GET' },
        (r) => {
          let body = '';
          r.on('data', (c: Buffer) => (body += c.toString()));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, type: String(r.headers['content-type']), body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.status, 431);
    assert.match(res.type, /application\/json/);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['code', 'detail']);
    assert.equal(body.code, 'request_header_too_large');
  });
});
