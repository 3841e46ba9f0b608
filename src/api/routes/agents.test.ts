import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../../test/support/api-harness';

const tool = {
  type: 'function',
  function: {
    name: 'check_order',
    description: 'Look up an order',
    parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  },
  endpoint: { url: 'https://example.com/orders', method: 'GET', headers: { 'X-Api-Key': 'k' } },
};
const minimal = { name: 'Receptionist', prompt: 'You answer the phone for {{business}}.', voice: 'en-US-James1' };

describeApi('agents API', (h) => {
  test('create returns the full agent object with defaults; get and list show it', async () => {
    const org = await h().createOrg();
    const res = await h().request('POST', '/v1/agents', { key: org.apiKey, body: minimal });
    assert.equal(res.status, 201, res.text);
    const a = res.body;
    assert.equal(typeof a.id, 'number');
    assert.deepEqual(
      { ...a, id: 0, created_at: '', updated_at: '', deployed_at: '' },
      {
        id: 0,
        name: 'Receptionist',
        prompt: minimal.prompt,
        voice: 'en-US-James1',
        product: 'spark',
        thinking_level: null,
        background_track: null,
        acknowledgement_prompt_mode: 'auto',
        acknowledgement_prompt: '',
        inbound_speak_order: 'agent_first',
        outbound_speak_order: 'agent_first',
        max_hold_seconds: null,
        widget_enabled: true,
        primary_language: 'en-US',
        additional_languages: [],
        tools: [],
        integration_ids: [],
        voicemail_action: 'continue',
        voicemail_message: '',
        post_call_analysis: null,
        barge_in: null,
        integrations: [],
        version: 1,
        deployed_at: '',
        deploy_mode: 'auto',
        draft: null,
        created_at: '',
        updated_at: '',
      },
    );
    assert.equal(a.deployed_at, a.created_at, 'a new agent is deployed revision 1');
    assert.deepEqual((await h().request('GET', `/v1/agents/${a.id}`, { key: org.apiKey })).body, a);
    const list = await h().request('GET', '/v1/agents', { key: org.apiKey });
    assert.deepEqual(
      list.body.map((x: any) => x.id),
      [a.id],
    );
  });

  test('every field is stored as given, storm derives thinking_level, tools are normalized', async () => {
    const org = await h().createOrg();
    const body = {
      ...minimal,
      voice: 'en-US-Slt',
      product: 'storm-base-with-ack',
      background_track: 'CALL_CENTER',
      acknowledgement_prompt_mode: 'manual',
      acknowledgement_prompt: 'One moment please.',
      inbound_speak_order: 'caller_first',
      outbound_speak_order: 'caller_first',
      max_hold_seconds: 120,
      widget_enabled: false,
      primary_language: 'en-US',
      additional_languages: ['es-ES', 'fr-FR'],
      tools: [tool],
      integration_ids: [],
    };
    const res = await h().request('POST', '/v1/agents', { key: org.apiKey, body });
    assert.equal(res.status, 201, res.text);
    for (const [k, v] of Object.entries(body)) assert.deepEqual(res.body[k], v, k);
    assert.equal(res.body.thinking_level, 'base');
  });

  test('field-level 400s name every bad field and create nothing', async () => {
    const org = await h().createOrg();
    const res = await h().request('POST', '/v1/agents', {
      key: org.apiKey,
      body: {
        name: 'x'.repeat(256),
        voice: 'xx-XX-Nobody',
        product: 'zap',
        inbound_speak_order: 'whoever',
        max_hold_seconds: 99999,
        background_track: 'JAZZ',
        acknowledgement_prompt_mode: 'manual',
        primary_language: 'english',
        additional_languages: ['es_ES'],
        integration_ids: ['int_1'],
        tools: [{ type: 'function', function: { name: 'a b' }, endpoint: { url: 'not a url' } }],
        colour: 'blue',
      },
    });
    assert.equal(res.status, 400);
    for (const f of [
      'name',
      'prompt',
      'voice',
      'product',
      'inbound_speak_order',
      'max_hold_seconds',
      'background_track',
      'acknowledgement_prompt',
      'primary_language',
      'additional_languages',
      'integration_ids',
      'tools.0.function.name',
      'tools.0.function.description',
      'tools.0.endpoint.url',
      'colour',
    ])
      assert.ok(Array.isArray(res.body[f]) && typeof res.body[f][0] === 'string', `no message for ${f}: ${res.text}`);
    assert.deepEqual((await h().request('GET', '/v1/agents', { key: org.apiKey })).body, []);
  });

  test('a wrong JSON type is a 400 naming the field', async () => {
    const org = await h().createOrg();
    const res = await h().request('POST', '/v1/agents', {
      key: org.apiKey,
      body: { ...minimal, widget_enabled: 'maybe' },
    });
    assert.equal(res.status, 400);
    assert.ok(res.body.widget_enabled, res.text);
  });

  test('PATCH changes only the given fields, PUT resets the others; each change is a version', async () => {
    const org = await h().createOrg();
    const a = (await h().request('POST', '/v1/agents', { key: org.apiKey, body: { ...minimal, max_hold_seconds: 60 } }))
      .body;
    const patched = await h().request('PATCH', `/v1/agents/${a.id}`, {
      key: org.apiKey,
      body: { name: 'Front desk', voice_name: 'en-US-Kal' },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.name, 'Front desk');
    assert.equal(patched.body.voice, 'en-US-Kal');
    assert.equal(patched.body.max_hold_seconds, 60);
    assert.equal(patched.body.version, 2);
    const same = await h().request('PATCH', `/v1/agents/${a.id}`, { key: org.apiKey, body: { name: 'Front desk' } });
    assert.equal(same.body.version, 2, 'a no-op change makes no version');
    const put = await h().request('PUT', `/v1/agents/${a.id}`, {
      key: org.apiKey,
      body: { ...patched.body, name: 'Replaced', max_hold_seconds: undefined },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.max_hold_seconds, null);
    assert.equal(put.body.version, 3);
    const putMissing = await h().request('PUT', `/v1/agents/${a.id}`, { key: org.apiKey, body: { name: 'No prompt' } });
    assert.equal(putMissing.status, 400);
    assert.ok(putMissing.body.prompt && putMissing.body.voice);
    const badPatch = await h().request('PATCH', `/v1/agents/${a.id}`, { key: org.apiKey, body: { product: 'zap' } });
    assert.equal(badPatch.status, 400);
    const versions = await h().request('GET', `/v1/agents/${a.id}/versions`, { key: org.apiKey });
    assert.equal(versions.status, 200);
    assert.deepEqual(
      versions.body.map((v: any) => [v.version, v.snapshot.name]),
      [
        [3, 'Replaced'],
        [2, 'Front desk'],
        [1, 'Receptionist'],
      ],
    );
    assert.equal(versions.body[2].snapshot.max_hold_seconds, 60);
  });

  test('duplicate makes an independent copy; name filter; delete is 204 then 404', async () => {
    const org = await h().createOrg();
    const a = (await h().request('POST', '/v1/agents', { key: org.apiKey, body: { ...minimal, tools: [tool] } })).body;
    const copy = await h().request('POST', `/v1/agents/${a.id}/duplicate`, { key: org.apiKey });
    assert.equal(copy.status, 201);
    assert.notEqual(copy.body.id, a.id);
    assert.equal(copy.body.name, 'Receptionist (copy)');
    assert.deepEqual(copy.body.tools, a.tools);
    const filtered = await h().request('GET', '/v1/agents?name=Receptionist%20(copy)', { key: org.apiKey });
    assert.deepEqual(
      filtered.body.map((x: any) => x.id),
      [copy.body.id],
    );
    assert.equal((await h().request('DELETE', `/v1/agents/${a.id}`, { key: org.apiKey })).status, 204);
    assert.equal((await h().request('GET', `/v1/agents/${a.id}`, { key: org.apiKey })).status, 404);
    assert.equal((await h().request('DELETE', `/v1/agents/${a.id}`, { key: org.apiKey })).status, 404);
    assert.equal((await h().request('GET', `/v1/agents/${copy.body.id}`, { key: org.apiKey })).status, 200);
  });

  test('deleting an agent clears the phone numbers that used it', async () => {
    const org = await h().createOrg();
    const a = (await h().request('POST', '/v1/agents', { key: org.apiKey, body: minimal })).body;
    const now = new Date().toISOString();
    const num = await h()
      .deps.store.db.insertInto('phone_numbers')
      .values({
        org_id: org.id,
        number: '+15550001111',
        source: 'demo',
        status: 'active',
        label: null,
        inbound_agent_id: a.id,
        outbound_agent_id: a.id,
        voip_connection_id: null,
        voip_verification_status: null,
        voip_verification_error: null,
        voip_last_verified_at: null,
        created_at: now,
        updated_at: now,
        released_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    assert.equal((await h().request('DELETE', `/v1/agents/${a.id}`, { key: org.apiKey })).status, 204);
    const row = await h()
      .deps.store.db.selectFrom('phone_numbers')
      .selectAll()
      .where('id', '=', num.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.inbound_agent_id, null);
    assert.equal(row.outbound_agent_id, null);
  });

  test("another org's agent is a 404 on every route and never listed", async () => {
    const owner = await h().createOrg();
    const other = await h().createOrg();
    const a = (await h().request('POST', '/v1/agents', { key: owner.apiKey, body: minimal })).body;
    for (const [method, url, body] of [
      ['GET', `/v1/agents/${a.id}`],
      ['PATCH', `/v1/agents/${a.id}`, { name: 'stolen' }],
      ['PUT', `/v1/agents/${a.id}`, minimal],
      ['DELETE', `/v1/agents/${a.id}`],
      ['POST', `/v1/agents/${a.id}/duplicate`],
      ['GET', `/v1/agents/${a.id}/versions`],
    ] as const) {
      const res = await h().request(method, url, { key: other.apiKey, body });
      assert.equal(res.status, 404, `${method} ${url}`);
    }
    assert.deepEqual((await h().request('GET', '/v1/agents', { key: other.apiKey })).body, []);
    const still = await h().request('GET', `/v1/agents/${a.id}`, { key: owner.apiKey });
    assert.equal(still.body.name, 'Receptionist');
    assert.equal(still.body.version, 1);
  });

  test('bodyless requests that still send content-type json work; malformed JSON is a 400', async () => {
    const org = await h().createOrg();
    const json = { 'content-type': 'application/json' };
    const a = (await h().request('POST', '/v1/agents', { key: org.apiKey, body: minimal })).body;
    assert.equal(
      (await h().request('POST', `/v1/agents/${a.id}/duplicate`, { key: org.apiKey, headers: json })).status,
      201,
    );
    assert.equal((await h().request('DELETE', `/v1/agents/${a.id}`, { key: org.apiKey, headers: json })).status, 204);
    const noBody = await h().request('POST', '/v1/agents', { key: org.apiKey, headers: json });
    assert.equal(noBody.status, 400);
    const broken = await h().app.inject({
      method: 'POST',
      url: '/v1/agents',
      headers: { ...json, authorization: `Bearer ${org.apiKey}` },
      payload: '{"name": ',
    });
    assert.equal(broken.statusCode, 400);
    assert.equal(typeof JSON.parse(broken.body).detail, 'string');
  });

  test('no key or a bad key is a 401', async () => {
    assert.equal((await h().request('GET', '/v1/agents')).status, 401);
    assert.equal((await h().request('POST', '/v1/agents', { key: 'sk_live_nope', body: minimal })).status, 401);
  });
});

describeApi('voices API', (h) => {
  test('lists the installed engines with the public shape; an agent with a listed voice is accepted', async () => {
    const org = await h().createOrg();
    const res = await h().request('GET', '/v1/voices', { key: org.apiKey });
    assert.equal(res.status, 200);
    const ids = res.body.map((v: any) => v.id);
    for (const id of ['en-US-Espeak', 'en-US-Slt', 'en-US-Kal', 'en-US-James1']) assert.ok(ids.includes(id), id);
    assert.equal(res.body[0].engine, 'espeak-ng', 'the configured engine comes first');
    assert.deepEqual(Object.keys(res.body[0]).sort(), ['engine', 'gender', 'id', 'language', 'name']);
    const slt = res.body.find((v: any) => v.id === 'en-US-Slt');
    assert.deepEqual(slt, { id: 'en-US-Slt', name: 'Slt', language: 'en-US', gender: 'female', engine: 'flite' });
    const pick = res.body.find((v: any) => v.language === 'de');
    const created = await h().request('POST', '/v1/agents', { key: org.apiKey, body: { ...minimal, voice: pick.id } });
    assert.equal(created.status, 201);
    assert.equal((await h().request('GET', '/v1/voices')).status, 401);
  });
});

describeApi(
  'voices API with TTS_ENGINE=openai',
  (h) => {
    test('the default voice (onyx) comes first, then the OpenAI voices; en-US-James1 resolves to onyx; local voices stay usable', async () => {
      const org = await h().createOrg();
      const res = await h().request('GET', '/v1/voices', { key: org.apiKey });
      assert.deepEqual(
        res.body.slice(0, 6).map((v: any) => v.id),
        ['en-US-Onyx', 'en-US-Alloy', 'en-US-Echo', 'en-US-Fable', 'en-US-Nova', 'en-US-Shimmer'],
      );
      const openai = res.body.filter((v: any) => v.engine === 'openai').map((v: any) => v.id);
      assert.deepEqual(
        openai.slice(6),
        ['en-US-James1', 'en-US-Standard-Journey-D'],
        'only the aliases besides the six',
      );
      assert.equal(h().deps.voices.get('en-US-James1')?.engineVoice, 'onyx');
      const created = await h().request('POST', '/v1/agents', {
        key: org.apiKey,
        body: { ...minimal, voice: 'en-US-Slt' },
      });
      assert.equal(created.status, 201);
    });
  },
  { env: { TTS_ENGINE: 'openai', TTS_BASE_URL: 'http://127.0.0.1:9/v1' } },
);
