import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi, type ApiHarness, type TestOrg } from '../../../test/support/api-harness';
import { verifiedNumber } from '../../../test/support/numbers-flow';
import { ScriptedTrunkVerifier } from '../../numbers/testing/scripted-trunk-verifier';
import { inboundConfigResolver } from '../../calls/inbound-config';
import { conversationFor } from '../../calls/conversation-config';

/*
 * Drafts and deploys, replayed with the exact requests of the official clients:
 * - thunderphone/examples inbound-receptionist-fastapi/app.py `configure()`: GET /v1/agents (match
 *   by name) → POST /v1/agents, or PATCH /v1/agents/{id} + POST /v1/agents/{id}/deploy `{}` →
 *   PATCH /v1/phone-numbers/{id} `{"inbound_agent_id"}` → POST /v1/developer/webhook-endpoints;
 *   every answer must be 2xx JSON (it calls response.json() on each).
 * - thunderphone/skills create-agent: POST /v1/agents ("the create response is deployed revision
 *   1"), PATCH creates a draft, GET shows deployed + draft state, POST .../deploy or
 *   POST .../discard-draft; requests carry `X-ThunderPhone-Client: skills/create-agent@1.0`.
 */

const verifier = new ScriptedTrunkVerifier();
const SKILL = { 'x-thunderphone-client': 'skills/create-agent@1.0' };
/** inbound-receptionist-fastapi/agent.json, VOICE_ID filled in as configure() does. */
const receptionist = (prompt: string) => ({
  name: 'Example bilingual dental receptionist',
  prompt,
  voice: 'en-US-James1',
  product: 'bolt',
  primary_language: 'en-US',
  additional_languages: ['es-ES'],
});

/** The example's `api()`: JSON body (when given), Bearer key; any non-2xx raises. Returns response.json(). */
async function send(h: ApiHarness, org: TestOrg, method: string, path: string, body?: unknown): Promise<any> {
  const res = await h.request(method, path, { key: org.apiKey, ...(body === undefined ? {} : { body }) });
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: HTTP ${res.status} ${res.text}`);
  return JSON.parse(res.text);
}

/** app.py configure(send, env) with agent.json's prompt set to `prompt`. */
async function configureReceptionist(h: ApiHarness, org: TestOrg, numberId: number, prompt: string, first: boolean) {
  const payload = receptionist(prompt);
  const matches = ((await send(h, org, 'GET', '/v1/agents')) as any[]).filter((a) => a.name === payload.name);
  assert.ok(matches.length <= 1);
  let agentId: number;
  if (matches.length > 0) {
    agentId = matches[0].id;
    await send(h, org, 'PATCH', `/v1/agents/${agentId}`, payload);
    await send(h, org, 'POST', `/v1/agents/${agentId}/deploy`, {});
  } else agentId = (await send(h, org, 'POST', '/v1/agents', payload)).id;
  await send(h, org, 'PATCH', `/v1/phone-numbers/${numberId}`, { inbound_agent_id: agentId });
  if (first) {
    const endpoint = await send(h, org, 'POST', '/v1/developer/webhook-endpoints', {
      label: 'Example receptionist',
      url: 'https://hooks.example.com/thunderphone-webhook',
      events: ['telephony.complete'],
    });
    assert.equal(typeof endpoint.secret, 'string');
  }
  return agentId;
}

/** What an inbound call to `number` would run with if it were answered now. */
async function inboundPrompt(h: ApiHarness, org: TestOrg, numberId: number) {
  const number = await h.deps.store.db
    .selectFrom('phone_numbers')
    .selectAll()
    .where('id', '=', numberId)
    .executeTakeFirstOrThrow();
  const resolved = await inboundConfigResolver(
    h.deps.store.db,
    h.deps.webhooks,
  )({
    orgId: org.id,
    callId: 0,
    fromNumber: '+15550100000',
    toNumber: number.number,
    number,
  });
  return { prompt: resolved?.config.prompt, version: resolved?.agentVersion };
}

let seq = 0;
const nextNumber = () => `+1555777${String(1000 + ++seq)}`;

async function withNumber(h: ApiHarness) {
  const org = await h.createOrg();
  const number = await verifiedNumber(h, org, nextNumber());
  return { org, number };
}

async function deployedAgent(h: ApiHarness, org: TestOrg, prompt = 'Version one.') {
  const a = (await h.request('POST', '/v1/agents', { key: org.apiKey, body: { ...receptionist(prompt) } })).body;
  // One deploy puts the agent into the draft workflow (deploy_mode manual).
  const deployed = await h.request('POST', `/v1/agents/${a.id}/deploy`, { key: org.apiKey, body: {} });
  assert.equal(deployed.status, 200, deployed.text);
  assert.equal(deployed.body.deploy_mode, 'manual');
  return deployed.body;
}

describeApi(
  'agent drafts and deploys',
  (h) => {
    test('the FastAPI receptionist example: create, then PATCH → deploy on every later run', async () => {
      const { org, number } = await withNumber(h());
      // Run 1: no agent of that name yet → POST (deployed revision 1, usable at once).
      const id = await configureReceptionist(h(), org, number.id, 'Receptionist v1.', true);
      assert.deepEqual(await inboundPrompt(h(), org, number.id), { prompt: 'Receptionist v1.', version: 1 });

      // Run 2: PATCH + deploy. The agent never used the draft workflow (deploy_mode auto), so the
      // PATCH is live at once and the deploy finds nothing pending: still one new revision.
      await configureReceptionist(h(), org, number.id, 'Receptionist v2.', false);
      const agent = await send(h(), org, 'GET', `/v1/agents/${id}`);
      assert.deepEqual(
        [agent.prompt, agent.version, agent.draft, agent.deploy_mode],
        ['Receptionist v2.', 2, null, 'manual'],
      );
      assert.deepEqual(await inboundPrompt(h(), org, number.id), { prompt: 'Receptionist v2.', version: 2 });

      // Run 3: now a real draft workflow. Between the PATCH and the deploy, calls keep v2.
      const patched = await send(h(), org, 'PATCH', `/v1/agents/${id}`, receptionist('Receptionist v3.'));
      assert.deepEqual(
        [patched.prompt, patched.version, patched.draft.prompt],
        ['Receptionist v2.', 2, 'Receptionist v3.'],
      );
      assert.deepEqual(patched.draft.additional_languages, ['es-ES']);
      assert.deepEqual(await inboundPrompt(h(), org, number.id), { prompt: 'Receptionist v2.', version: 2 });
      const deployed = await send(h(), org, 'POST', `/v1/agents/${id}/deploy`, {});
      assert.deepEqual([deployed.prompt, deployed.version, deployed.draft], ['Receptionist v3.', 3, null]);
      assert.deepEqual(await inboundPrompt(h(), org, number.id), { prompt: 'Receptionist v3.', version: 3 });
      await send(h(), org, 'PATCH', `/v1/phone-numbers/${number.id}`, { inbound_agent_id: id });

      // Running the setup again with an unchanged agent.json deploys nothing new.
      await configureReceptionist(h(), org, number.id, 'Receptionist v3.', false);
      const versions = await send(h(), org, 'GET', `/v1/agents/${id}/versions`);
      assert.deepEqual(
        versions.map((v: any) => [v.version, v.snapshot.prompt]),
        [
          [3, 'Receptionist v3.'],
          [2, 'Receptionist v2.'],
          [1, 'Receptionist v1.'],
        ],
      );
    });

    test('create-agent skill: POST is deployed revision 1; PATCH drafts; GET shows both; deploy ships it', async () => {
      const org = await h().createOrg();
      const created = await h().request('POST', '/v1/agents', {
        key: org.apiKey,
        headers: SKILL,
        body: {
          name: 'Dental receptionist',
          prompt: 'Help callers.',
          voice: 'en-US-James1',
          product: 'bolt',
          primary_language: 'en-US',
        },
      });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual([created.body.version, created.body.draft], [1, null]);
      const id = created.body.id;
      await deployedAgentMode(h(), org, id);

      const patch = await h().request('PATCH', `/v1/agents/${id}`, {
        key: org.apiKey,
        headers: SKILL,
        body: { prompt: 'Help callers. Be brief.' },
      });
      assert.equal(patch.status, 200, patch.text);
      const got = (await h().request('GET', `/v1/agents/${id}`, { key: org.apiKey, headers: SKILL })).body;
      assert.equal(got.prompt, 'Help callers.', 'the deployed revision is unchanged');
      assert.equal(got.version, 1);
      assert.equal(got.draft.prompt, 'Help callers. Be brief.');
      assert.equal(got.draft.name, 'Dental receptionist', 'a draft is a full set of settings');
      assert.equal(got.draft.product, 'bolt');
      assert.equal(got.draft.updated_at, got.updated_at);

      const deployed = await h().request('POST', `/v1/agents/${id}/deploy`, {
        key: org.apiKey,
        headers: SKILL,
        body: {},
      });
      assert.equal(deployed.status, 200, deployed.text);
      assert.deepEqual(
        [deployed.body.prompt, deployed.body.version, deployed.body.draft],
        ['Help callers. Be brief.', 2, null],
      );
      assert.equal(deployed.body.deployed_at, deployed.body.updated_at);
    });

    test('create-agent skill: discard-draft abandons unshipped changes; the deployed revision stays', async () => {
      const { org, number } = await withNumber(h());
      const agent = await deployedAgent(h(), org, 'Live prompt.');
      await send(h(), org, 'PATCH', `/v1/phone-numbers/${number.id}`, { inbound_agent_id: agent.id });
      const patch = await h().request('PATCH', `/v1/agents/${agent.id}`, {
        key: org.apiKey,
        headers: SKILL,
        body: { prompt: 'Unshipped prompt.', voice: 'en-US-Kal' },
      });
      assert.equal(patch.body.draft.prompt, 'Unshipped prompt.');
      // A second PATCH edits the draft (not the live settings): both changes are pending.
      const again = await h().request('PATCH', `/v1/agents/${agent.id}`, {
        key: org.apiKey,
        body: { max_hold_seconds: 45 },
      });
      assert.deepEqual(
        [
          again.body.draft.prompt,
          again.body.draft.voice,
          again.body.draft.max_hold_seconds,
          again.body.max_hold_seconds,
        ],
        ['Unshipped prompt.', 'en-US-Kal', 45, null],
      );
      const discarded = await h().request('POST', `/v1/agents/${agent.id}/discard-draft`, {
        key: org.apiKey,
        headers: SKILL,
        body: {},
      });
      assert.equal(discarded.status, 200, discarded.text);
      assert.deepEqual(
        [discarded.body.draft, discarded.body.prompt, discarded.body.voice, discarded.body.version],
        [null, 'Live prompt.', 'en-US-James1', agent.version],
      );
      assert.deepEqual(await inboundPrompt(h(), org, number.id), { prompt: 'Live prompt.', version: agent.version });
      const deployNothing = await h().request('POST', `/v1/agents/${agent.id}/deploy`, { key: org.apiKey, body: {} });
      assert.equal(deployNothing.body.version, agent.version, 'deploying without a draft makes no revision');
      const versions = (await h().request('GET', `/v1/agents/${agent.id}/versions`, { key: org.apiKey })).body;
      assert.deepEqual(
        versions.map((v: any) => v.version),
        [1],
      );
    });

    test('a plain PATCH on an agent that never used deploy is live at once (clients that never deploy)', async () => {
      const org = await h().createOrg();
      const a = (await h().request('POST', '/v1/agents', { key: org.apiKey, body: receptionist('One.') })).body;
      assert.equal(a.deploy_mode, 'auto');
      const patched = await h().request('PATCH', `/v1/agents/${a.id}`, { key: org.apiKey, body: { prompt: 'Two.' } });
      assert.deepEqual([patched.body.prompt, patched.body.version, patched.body.draft], ['Two.', 2, null]);
      const put = await h().request('PUT', `/v1/agents/${a.id}`, { key: org.apiKey, body: receptionist('Three.') });
      assert.deepEqual([put.body.prompt, put.body.version, put.body.deploy_mode], ['Three.', 3, 'auto']);
      // discard-draft then has nothing to discard, and switches the agent to the draft workflow.
      const discarded = await h().request('POST', `/v1/agents/${a.id}/discard-draft`, { key: org.apiKey });
      assert.deepEqual(
        [discarded.status, discarded.body.prompt, discarded.body.deploy_mode],
        [200, 'Three.', 'manual'],
      );
      const drafted = await h().request('PATCH', `/v1/agents/${a.id}`, { key: org.apiKey, body: { prompt: 'Four.' } });
      assert.deepEqual([drafted.body.prompt, drafted.body.draft.prompt], ['Three.', 'Four.']);
    });

    test('?draft=true drafts (and switches to manual), ?draft=false deploys the working copy at once', async () => {
      const org = await h().createOrg();
      const a = (await h().request('POST', '/v1/agents', { key: org.apiKey, body: receptionist('One.') })).body;
      const draft = await h().request('PATCH', `/v1/agents/${a.id}?draft=true`, {
        key: org.apiKey,
        body: { prompt: 'Two.' },
      });
      assert.deepEqual(
        [draft.body.prompt, draft.body.draft.prompt, draft.body.deploy_mode],
        ['One.', 'Two.', 'manual'],
      );
      const now = await h().request('PATCH', `/v1/agents/${a.id}?draft=false`, {
        key: org.apiKey,
        body: { voice: 'en-US-Kal' },
      });
      assert.equal(now.status, 200, now.text);
      assert.deepEqual(
        [now.body.prompt, now.body.voice, now.body.version, now.body.draft, now.body.deploy_mode],
        ['Two.', 'en-US-Kal', 2, null, 'manual'],
        'the pending draft and the edit went live together; the mode stays',
      );
      const bad = await h().request('PATCH', `/v1/agents/${a.id}?draft=maybe`, { key: org.apiKey, body: {} });
      assert.equal(bad.status, 400);
    });

    test('PUT replaces the draft; a draft equal to the live settings is no draft; bad input keeps the draft', async () => {
      const org = await h().createOrg();
      const a = await deployedAgent(h(), org, 'Live.');
      await h().request('PATCH', `/v1/agents/${a.id}`, {
        key: org.apiKey,
        body: { prompt: 'Draft.', max_hold_seconds: 30 },
      });
      const put = await h().request('PUT', `/v1/agents/${a.id}`, { key: org.apiKey, body: receptionist('Replaced.') });
      assert.deepEqual(
        [put.body.prompt, put.body.draft.prompt, put.body.draft.max_hold_seconds],
        ['Live.', 'Replaced.', null],
      );
      const bad = await h().request('PATCH', `/v1/agents/${a.id}`, { key: org.apiKey, body: { product: 'zap' } });
      assert.equal(bad.status, 400);
      assert.ok(bad.body.product);
      const kept = (await h().request('GET', `/v1/agents/${a.id}`, { key: org.apiKey })).body;
      assert.equal(kept.draft.prompt, 'Replaced.');
      const back = await h().request('PATCH', `/v1/agents/${a.id}`, { key: org.apiKey, body: { prompt: 'Live.' } });
      assert.equal(back.body.draft, null, 'editing the draft back to the live settings leaves nothing pending');
      // GET → PUT round trip: the read-only fields (draft, deploy_mode, deployed_at...) are accepted.
      const roundTrip = await h().request('PUT', `/v1/agents/${a.id}`, { key: org.apiKey, body: kept });
      assert.equal(roundTrip.status, 200, roundTrip.text);
      assert.equal(roundTrip.body.draft, null, 'the live settings PUT back are no draft');
    });

    test('deploy and discard-draft: no body works, unknown fields are a 400, another org gets 404', async () => {
      const owner = await h().createOrg();
      const other = await h().createOrg();
      const a = await deployedAgent(h(), owner);
      await h().request('PATCH', `/v1/agents/${a.id}`, { key: owner.apiKey, body: { prompt: 'Pending.' } });
      for (const action of ['deploy', 'discard-draft']) {
        const stranger = await h().request('POST', `/v1/agents/${a.id}/${action}`, { key: other.apiKey, body: {} });
        assert.equal(stranger.status, 404);
        assert.equal(stranger.body.code, 'agent_not_found');
        const extra = await h().request('POST', `/v1/agents/${a.id}/${action}`, {
          key: owner.apiKey,
          body: { version: 9 },
        });
        assert.equal(extra.status, 400, extra.text);
      }
      assert.equal(
        (await h().request('GET', `/v1/agents/${a.id}`, { key: owner.apiKey })).body.draft.prompt,
        'Pending.',
      );
      const bare = await h().request('POST', `/v1/agents/${a.id}/deploy`, {
        key: owner.apiKey,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(bare.status, 200, bare.text);
      assert.equal(bare.body.prompt, 'Pending.');
      await h().request('DELETE', `/v1/agents/${a.id}`, { key: owner.apiKey });
      assert.equal((await h().request('POST', `/v1/agents/${a.id}/deploy`, { key: owner.apiKey })).status, 404);
    });

    test('a call placed before a deploy keeps the old prompt; one placed after uses the new one', async () => {
      const { org, number } = await withNumber(h());
      const agent = await deployedAgent(h(), org, 'Old prompt for {{name}}.');
      await send(h(), org, 'PATCH', `/v1/agents/${agent.id}`, { prompt: 'New prompt for {{name}}.' });
      const place = async () => {
        const res = await h().request('POST', '/v1/call', {
          key: org.apiKey,
          body: {
            from_number: number.number,
            to_number: '+14155550123',
            agent_id: agent.id,
            variables: { name: 'Ada' },
          },
        });
        assert.equal(res.status, 201, res.text);
        return res.body.call_id as number;
      };
      const row = (id: number) =>
        h().deps.store.db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const before = await place();
      const deployed = await send(h(), org, 'POST', `/v1/agents/${agent.id}/deploy`, {});
      const after = await place();
      // What the agent of each call runs with (calls/conversation-config.ts, read at dial time).
      assert.equal(conversationFor(await row(before), h().deps.voices).config.prompt, 'Old prompt for Ada.');
      assert.equal(conversationFor(await row(after), h().deps.voices).config.prompt, 'New prompt for Ada.');
      const wire = async (id: number) =>
        (await h().request('GET', `/v1/calls/${id}`, { key: org.apiKey })).body.agent_version as number;
      assert.deepEqual([await wire(before), await wire(after)], [agent.version, deployed.version]);
      assert.equal(deployed.version, agent.version + 1);
    });
  },
  { env: { DEMO_NUMBERS: '+14155550999' }, customize: (deps) => void (deps.trunkVerifier = verifier) },
);

/** The skill's agent, already through one deploy cycle (the default server starts agents in auto). */
async function deployedAgentMode(h: ApiHarness, org: TestOrg, id: number) {
  const res = await h.request('POST', `/v1/agents/${id}/deploy`, { key: org.apiKey, headers: SKILL, body: {} });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual([res.body.version, res.body.deploy_mode], [1, 'manual']);
}

describeApi(
  'agent drafts with AGENT_DEPLOY_MODE=manual (the hosted API from the first edit)',
  (h) => {
    test('create-agent skill on a fresh agent: PATCH → discard-draft leaves revision 1; PATCH → deploy ships', async () => {
      const org = await h().createOrg();
      const created = await h().request('POST', '/v1/agents', {
        key: org.apiKey,
        headers: SKILL,
        body: { name: 'Dental receptionist', prompt: 'Help callers.', voice: 'en-US-James1' },
      });
      assert.deepEqual([created.body.version, created.body.deploy_mode, created.body.draft], [1, 'manual', null]);
      const id = created.body.id;
      const patch = await h().request('PATCH', `/v1/agents/${id}`, {
        key: org.apiKey,
        headers: SKILL,
        body: { prompt: 'Abandoned.' },
      });
      assert.deepEqual([patch.body.prompt, patch.body.draft.prompt], ['Help callers.', 'Abandoned.']);
      const discarded = await h().request('POST', `/v1/agents/${id}/discard-draft`, {
        key: org.apiKey,
        headers: SKILL,
        body: {},
      });
      assert.deepEqual(
        [discarded.body.prompt, discarded.body.draft, discarded.body.version],
        ['Help callers.', null, 1],
      );
      await h().request('PATCH', `/v1/agents/${id}`, { key: org.apiKey, headers: SKILL, body: { prompt: 'Shipped.' } });
      const deployed = await h().request('POST', `/v1/agents/${id}/deploy`, {
        key: org.apiKey,
        headers: SKILL,
        body: {},
      });
      assert.deepEqual([deployed.body.prompt, deployed.body.version], ['Shipped.', 2]);
      const copy = await h().request('POST', `/v1/agents/${id}/duplicate`, { key: org.apiKey });
      assert.deepEqual([copy.body.prompt, copy.body.version, copy.body.deploy_mode], ['Shipped.', 1, 'manual']);
    });
  },
  { env: { AGENT_DEPLOY_MODE: 'manual' } },
);
