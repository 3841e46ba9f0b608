import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect } from '../../test/support/dialects';
import { openWebhookFixture, verifySignature, type WebhookFixture } from './testing/webhook-fixture';
import type { ReceivedRequest } from './testing/webhook-receiver';

/**
 * A consumer written the way the official docs and client code do it: verify the signature over
 * the raw bytes, parse, deduplicate on the body's top-level `event_id`, store before acting.
 * Here it stores the event and then fails (a crash after the write: 500), so ThunderPhone retries
 * the same event; the retry must carry the same `event_id` and be recognised as a duplicate.
 */
class DedupingConsumer {
  readonly seen = new Set<string>();
  readonly effects: { eventId: string; type: string; callId: unknown }[] = [];
  readonly #secret: () => string;

  constructor(secret: () => string) {
    this.#secret = secret;
  }

  handle(req: ReceivedRequest, failAfterStoring: boolean): { status: number; body: string } {
    if (!verifySignature(this.#secret(), req.raw, req.headers['x-thunderphone-signature']))
      return { status: 401, body: 'Invalid signature' };
    const event = JSON.parse(req.raw.toString('utf8')) as { event_id?: unknown; type: string; data: any };
    if (typeof event.event_id !== 'string') return { status: 400, body: 'no event_id' };
    if (this.seen.has(event.event_id)) return { status: 200, body: '{"duplicate":true}' };
    this.seen.add(event.event_id);
    this.effects.push({ eventId: event.event_id, type: event.type, callId: event.data.call_id });
    return failAfterStoring ? { status: 500, body: 'crashed after storing' } : { status: 200, body: '{}' };
  }
}

describeEachDialect(
  'webhook event_id in the body',
  (dialect) => openWebhookFixture(dialect),
  (f) => f.close(),
  (get) => {
    const f = (): WebhookFixture => get();
    beforeEach(() => f().quiesce());

    test('a consumer that deduplicates on event_id applies a retried event once; every target gets the same id', async () => {
      const org = await f().h.createOrg();
      const ep = await f().h.request('POST', '/v1/developer/webhook-endpoints', {
        key: org.apiKey,
        body: { label: 'dedupe', url: f().rx.url('/endpoint'), events: ['telephony.complete'] },
      });
      const legacy = await f().h.request('PUT', '/v1/webhook', {
        key: org.apiKey,
        body: { url: f().rx.url('/legacy') },
      });
      const endpointConsumer = new DedupingConsumer(() => ep.body.secret);
      const legacyConsumer = new DedupingConsumer(() => legacy.body.secret);
      const start = f().rx.requests.length;
      let endpointTries = 0;
      f().rx.script = (req) =>
        req.path === '/endpoint'
          ? endpointConsumer.handle(req, ++endpointTries === 1)
          : legacyConsumer.handle(req, false);

      const { deps } = f().h;
      await deps.store.db.transaction().execute((trx) =>
        deps.webhooks.emit(trx, {
          orgId: org.id,
          type: 'telephony.complete',
          data: { call_id: 31, status: 'completed' },
        }),
      );
      assert.deepEqual((await deps.webhooks.dispatcher.deliverDue()).sort(), ['delivered', 'retry_scheduled']);
      f().clock.advance(10_000);
      assert.deepEqual(await deps.webhooks.dispatcher.deliverDue(), ['delivered']);

      const got = f().rx.requests.slice(start);
      assert.equal(got.length, 3, 'endpoint twice (500, then the retry), legacy URL once');
      const bodies = got.map((r) => JSON.parse(r.raw.toString('utf8')));
      const ids = new Set(bodies.map((b) => b.event_id));
      assert.equal(ids.size, 1, 'one event id on every retry and every target');
      const [eventId] = [...ids];
      assert.match(eventId, /^evt_[0-9a-f]{24}$/);
      assert.ok(
        got.every((r) => r.headers['x-thunderphone-event-id'] === eventId),
        'the header is kept',
      );
      assert.deepEqual(bodies.map((b) => b.type).sort(), ['call.complete', 'telephony.complete', 'telephony.complete']);
      // Each retry sends exactly the same signed bytes, event_id included, sorted-key compact JSON.
      const endpointRaw = got.filter((r) => r.path === '/endpoint').map((r) => r.raw.toString('utf8'));
      assert.equal(endpointRaw[0], endpointRaw[1]);
      assert.equal(
        endpointRaw[0],
        `{"data":{"call_id":31,"status":"completed"},"event_id":"${eventId}","type":"telephony.complete"}`,
      );

      assert.deepEqual(endpointConsumer.effects, [{ eventId, type: 'telephony.complete', callId: 31 }]);
      assert.deepEqual(legacyConsumer.effects, [{ eventId, type: 'call.complete', callId: 31 }]);
      const row = await deps.store.db
        .selectFrom('webhook_events')
        .select('id')
        .where('id', '=', eventId)
        .executeTakeFirst();
      assert.ok(row, 'event_id is the stored event id');
    });

    test('webhook.test and the blocking incoming event carry event_id too', async () => {
      const org = await f().h.createOrg();
      const ep = await f().h.request('POST', '/v1/developer/webhook-endpoints', {
        key: org.apiKey,
        body: { label: 'test', url: f().rx.url('/t') },
      });
      f().rx.script = () => ({ status: 200, body: '{}' });
      const start = f().rx.requests.length;
      const sent = await f().h.request('POST', `/v1/developer/webhook-endpoints/${ep.body.id}/test`, {
        key: org.apiKey,
      });
      assert.equal(sent.status, 200, sent.text);
      await f().h.deps.webhooks.resolveIncoming({
        orgId: org.id,
        callId: 5,
        fromNumber: '+15550001',
        toNumber: '+15550002',
      });
      const got = f().rx.requests.slice(start);
      assert.deepEqual(
        got.map((r) => JSON.parse(r.raw.toString('utf8')).type),
        ['webhook.test', 'telephony.incoming'],
      );
      for (const r of got) {
        const body = JSON.parse(r.raw.toString('utf8'));
        assert.equal(body.event_id, r.headers['x-thunderphone-event-id']);
        assert.ok(verifySignature(ep.body.secret, r.raw, r.headers['x-thunderphone-signature']));
      }
    });
  },
);
