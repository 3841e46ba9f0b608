import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect } from '../../test/support/dialects';
import { openWebhookFixture, verifySignature, type WebhookFixture } from './testing/webhook-fixture';
import type { ReceiverScript } from './testing/webhook-receiver';

const GOOD = { prompt: 'You are the front desk of Acme.', voice: 'en-US-James1', product: 'bolt' };
const toolAt = (url: string) => ({
  type: 'function',
  function: { name: 'lookup', description: 'Look something up', parameters: { type: 'object', properties: {} } },
  endpoint: { url },
});

describeEachDialect(
  'blocking incoming webhook',
  (dialect) => openWebhookFixture(dialect),
  (f) => f.close(),
  (get) => {
    const f = (): WebhookFixture => get();
    beforeEach(() => f().quiesce());

    /** A fresh org with one endpoint subscribed to telephony.incoming, answering as scripted. */
    async function setup(script: ReceiverScript, events: string[] = ['telephony.incoming']) {
      const org = await f().h.createOrg();
      const res = await f().h.request('POST', '/v1/developer/webhook-endpoints', {
        key: org.apiKey,
        body: { label: 'routing', url: f().rx.url('/incoming'), events },
      });
      assert.equal(res.status, 201);
      f().rx.script = script;
      return { org, endpoint: res.body as { id: string; secret: string } };
    }
    const resolve = (orgId: number, callId = 77) =>
      f().h.deps.webhooks.resolveIncoming({ orgId, callId, fromNumber: '+15550001111', toNumber: '+15550002222' });

    test('a valid configuration is returned and the request is signed with call_id, from and to', async () => {
      const { org, endpoint } = await setup(() => ({ status: 200, body: JSON.stringify(GOOD) }));
      const start = f().rx.requests.length;
      const decision = await resolve(org.id);
      assert.equal(decision.kind, 'config');
      assert.ok(decision.kind === 'config');
      assert.equal(decision.source, 'endpoint');
      assert.equal(decision.config.prompt, GOOD.prompt);
      assert.equal(decision.config.voice, 'en-US-James1');
      assert.equal(decision.config.product, 'bolt');
      assert.equal(decision.endpointId, endpoint.id);
      assert.equal(
        await f().h.deps.webhooks.toolSigningSecret(org.id, decision.endpointId),
        endpoint.secret,
        'tool calls are signed with that endpoint secret',
      );
      const req = f().rx.requests[start]!;
      const eventId = String(req.headers['x-thunderphone-event-id']);
      assert.match(eventId, /^evt_[0-9a-f]{24}$/);
      assert.equal(
        req.raw.toString(),
        `{"data":{"call_id":77,"from_number":"+15550001111","to_number":"+15550002222"},"event_id":"${eventId}","type":"telephony.incoming"}`,
      );
      assert.ok(verifySignature(endpoint.secret, req.raw, req.headers['x-thunderphone-signature']));
    });

    test('voice_name is accepted as an alias of voice', async () => {
      const { org } = await setup(() => ({
        status: 200,
        body: JSON.stringify({ prompt: 'Hi', voice_name: 'en-US-James1' }),
      }));
      const decision = await resolve(org.id);
      assert.ok(decision.kind === 'config');
      assert.equal(decision.config.voice, 'en-US-James1');
      assert.equal(decision.config.product, 'spark');
    });

    const fallbacks: [string, ReceiverScript, string][] = [
      ['{}', () => ({ status: 200, body: '{}' }), 'empty_config'],
      ['null', () => ({ status: 200, body: 'null' }), 'null_response'],
      ['an empty body', () => ({ status: 200, body: '' }), 'empty_response'],
      ['a non-2xx status', () => ({ status: 500, body: JSON.stringify(GOOD) }), 'http_status'],
      ['invalid JSON', () => ({ status: 200, body: '{"prompt": "Hi",' }), 'invalid_json'],
      [
        'unknown top-level keys',
        () => ({ status: 200, body: JSON.stringify({ ...GOOD, max_hold_seconds: 30 }) }),
        'invalid_config',
      ],
      [
        'an unknown voice',
        () => ({ status: 200, body: JSON.stringify({ ...GOOD, voice: 'no-such-voice' }) }),
        'invalid_config',
      ],
      ['a dropped connection', () => 'drop', 'network_error'],
      [
        'a tool whose endpoint is the cloud metadata address',
        () => ({ status: 200, body: JSON.stringify({ ...GOOD, tools: [toolAt('http://169.254.169.254/latest/')] }) }),
        'invalid_config',
      ],
      [
        'a tool at an IPv6 form of a private address',
        () => ({ status: 200, body: JSON.stringify({ ...GOOD, tools: [toolAt('http://[2002:a9fe:a9fe::1]/')] }) }),
        'invalid_config',
      ],
      [
        'tool parameters nested 5,000 levels deep',
        () => ({
          status: 200,
          body: `{"prompt":"Hi","voice":"en-US-James1","tools":[{"type":"function","function":{"name":"t","description":"d","parameters":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}},"endpoint":{"url":"https://tools.example.com/"}}]}`,
        }),
        'invalid_config',
      ],
    ];
    for (const [what, script, reason] of fallbacks) {
      test(`${what} → fallback (${reason}), logged in the deliveries list`, async () => {
        const { org, endpoint } = await setup(script);
        assert.deepEqual(await resolve(org.id), { kind: 'fallback', reason });
        const log = (
          await f().h.request('GET', `/v1/developer/webhook-endpoints/${endpoint.id}/deliveries`, { key: org.apiKey })
        ).body;
        assert.equal(log.length, 1);
        assert.equal(log[0].outcome, `fallback:${reason}`);
        assert.equal(log[0].event_type, 'telephony.incoming');
      });
    }

    test('no answer within 2 s → fallback (timeout), without waiting for the late answer', async () => {
      const { org } = await setup(() => ({ status: 200, body: JSON.stringify(GOOD), delayMs: 3_500 }));
      const started = performance.now();
      assert.deepEqual(await resolve(org.id), { kind: 'fallback', reason: 'timeout' });
      assert.ok(performance.now() - started < 3_400, 'the resolver gave up before the receiver answered');
    });

    test('no subscriber → fallback (no_webhook); endpoints not subscribed to incoming are not asked', async () => {
      const { org } = await setup(() => ({ status: 200, body: JSON.stringify(GOOD) }), ['telephony.complete']);
      const start = f().rx.requests.length;
      assert.deepEqual(await resolve(org.id), { kind: 'fallback', reason: 'no_webhook' });
      assert.equal(f().rx.requests.length, start);
    });

    test('the legacy URL gets call.incoming signed with the org secret and can shape the call', async () => {
      const org = await f().h.createOrg();
      const put = await f().h.request('PUT', '/v1/webhook', { key: org.apiKey, body: { url: f().rx.url('/legacy') } });
      f().rx.script = () => ({ status: 200, body: JSON.stringify(GOOD) });
      const start = f().rx.requests.length;
      const decision = await resolve(org.id);
      assert.ok(decision.kind === 'config');
      assert.equal(decision.source, 'legacy');
      const req = f().rx.requests[start]!;
      assert.equal(JSON.parse(req.raw.toString()).type, 'call.incoming');
      assert.ok(verifySignature(put.body.secret, req.raw, req.headers['x-thunderphone-signature']));
      assert.equal(decision.endpointId, null);
      assert.equal(
        await f().h.deps.webhooks.toolSigningSecret(org.id, null),
        put.body.secret,
        'otherwise the org secret signs tool calls',
      );
      const log = (await f().h.request('GET', '/v1/webhook/deliveries', { key: org.apiKey })).body;
      assert.deepEqual(
        log.map((a: any) => [a.event_type, a.outcome]),
        [['call.incoming', 'config']],
      );
      const stranger = await f().h.createOrg();
      assert.deepEqual((await f().h.request('GET', '/v1/webhook/deliveries', { key: stranger.apiKey })).body, []);
    });

    test('an endpoint answer wins over the legacy URL; a bad endpoint answer falls through to the legacy one', async () => {
      const { org } = await setup((req) =>
        req.path === '/incoming'
          ? { status: 200, body: '{}' }
          : { status: 200, body: JSON.stringify({ ...GOOD, prompt: 'legacy' }) },
      );
      await f().h.request('PUT', '/v1/webhook', { key: org.apiKey, body: { url: f().rx.url('/legacy') } });
      const decision = await resolve(org.id);
      assert.ok(decision.kind === 'config');
      assert.equal(decision.source, 'legacy');
      assert.equal(decision.config.prompt, 'legacy');
    });

    test('another org never sees the call', async () => {
      const { org } = await setup(() => ({ status: 200, body: JSON.stringify(GOOD) }));
      const stranger = await f().h.createOrg();
      const start = f().rx.requests.length;
      assert.deepEqual(await resolve(stranger.id), { kind: 'fallback', reason: 'no_webhook' });
      assert.equal(f().rx.requests.length, start);
      assert.equal((await resolve(org.id)).kind, 'config');
    });
  },
);
