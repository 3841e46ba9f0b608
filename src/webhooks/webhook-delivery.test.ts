import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect } from '../../test/support/dialects';
import { openWebhookFixture, verifySignature, type WebhookFixture } from './testing/webhook-fixture';
import { RETRY_WINDOW_MS } from './retry-policy';

describeEachDialect(
  'webhook delivery',
  (dialect) => openWebhookFixture(dialect),
  (f) => f.close(),
  (get) => {
    const f = (): WebhookFixture => get();
    beforeEach(() => f().quiesce());

    async function endpoint(orgKey: string, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
      const res = await f().h.request('POST', '/v1/developer/webhook-endpoints', {
        key: orgKey,
        body: { label: 'test', url: f().rx.url(), ...body },
      });
      assert.equal(res.status, 201, res.text);
      return res.body;
    }

    async function emit(orgId: number, type: string, data: Record<string, unknown>): Promise<void> {
      const { deps } = f().h;
      await deps.store.db.transaction().execute((trx) => deps.webhooks.emit(trx, { orgId, type, data }));
    }

    const deliverDue = () => f().h.deps.webhooks.dispatcher.deliverDue();
    const delivery = (endpointId: string) =>
      f()
        .h.deps.store.db.selectFrom('webhook_deliveries')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
    const endpointStatus = async (orgKey: string, id: string) =>
      (
        (await f().h.request('GET', '/v1/developer/webhook-endpoints', { key: orgKey })).body as {
          id: string;
          status: string;
        }[]
      ).find((e) => e.id === id)?.status;

    test('the receiver gets sorted-key compact bytes, signed so an independent HMAC check passes', async () => {
      const org = await f().h.createOrg();
      const ep = await endpoint(org.apiKey, { events: ['telephony.complete'] });
      f().rx.script = () => ({ status: 200 });
      const start = f().rx.requests.length;
      await emit(org.id, 'telephony.complete', {
        to_number: '+15550002',
        call_id: 42,
        transcripts: [{ role: 'user', content: 'hé' }],
        from_number: '+15550001',
      });
      assert.deepEqual(await deliverDue(), ['delivered']);
      const got = f().rx.requests.slice(start);
      assert.equal(got.length, 1);
      const req = got[0]!;
      assert.equal(req.method, 'POST');
      assert.equal(req.headers['content-type'], 'application/json');
      const eventId = String(req.headers['x-thunderphone-event-id']);
      assert.equal(
        req.raw.toString('utf8'),
        `{"data":{"call_id":42,"from_number":"+15550001","to_number":"+15550002","transcripts":[{"content":"h\\u00e9","role":"user"}]},"event_id":"${eventId}","type":"telephony.complete"}`,
      );
      assert.ok(verifySignature(ep.secret, req.raw, req.headers['x-thunderphone-signature']));
      assert.ok(!verifySignature(ep.secret + 'x', req.raw, req.headers['x-thunderphone-signature']));
      assert.match(String(req.headers['x-thunderphone-event-id']), /^evt_[0-9a-f]{24}$/);
      assert.equal((await delivery(ep.id)).status, 'delivered');
    });

    test('a 500 and then a dropped connection are retried with the same event id until a 2xx', async () => {
      const org = await f().h.createOrg();
      const ep = await endpoint(org.apiKey, {});
      const start = f().rx.requests.length;
      f().rx.script = (_r, i) =>
        i - start === 0 ? { status: 500, body: 'boom' } : i - start === 1 ? 'drop' : { status: 204 };
      await emit(org.id, 'call.graded', { call_id: 1 });
      assert.deepEqual(await deliverDue(), ['retry_scheduled']);
      assert.deepEqual(await deliverDue(), [], 'nothing is due before the backoff elapses');
      f().clock.advance(10_000);
      assert.deepEqual(await deliverDue(), ['retry_scheduled']);
      f().clock.advance(20_000);
      assert.deepEqual(await deliverDue(), ['delivered']);
      const got = f().rx.requests.slice(start);
      assert.equal(got.length, 3);
      assert.equal(new Set(got.map((r) => r.headers['x-thunderphone-event-id'])).size, 1);
      assert.deepEqual(
        got.map((r) => r.headers['x-thunderphone-attempt']),
        ['1', '2', '3'],
      );
      assert.ok(got.every((r) => verifySignature(ep.secret, r.raw, r.headers['x-thunderphone-signature'])));
      const log = (
        await f().h.request('GET', `/v1/developer/webhook-endpoints/${ep.id}/deliveries`, { key: org.apiKey })
      ).body;
      assert.deepEqual(
        log.map((a: any) => [a.attempt, a.outcome, a.status_code]),
        [
          [3, 'success', 204],
          [2, 'failure', null],
          [1, 'failure', 500],
        ],
      );
      assert.equal(log[1].error.startsWith('network_error'), true);
      assert.equal(log[2].error, 'http_500');
    });

    test('backoff grows exponentially with jitter on the injected clock', async () => {
      const org = await f().h.createOrg();
      const ep = await endpoint(org.apiKey, {});
      f().rx.script = () => ({ status: 503 });
      await emit(org.id, 'issue.reported', { id: 1 });
      const delays: number[] = [];
      for (let i = 0; i < 6; i++) {
        const before = f().clock.nowMs();
        assert.deepEqual(await deliverDue(), ['retry_scheduled']);
        const next = Date.parse((await delivery(ep.id)).next_attempt_at!);
        delays.push(next - before);
        f().clock.advance(next - before - 1);
        assert.deepEqual(await deliverDue(), [], 'not due one millisecond early');
        f().clock.advance(1);
      }
      delays.forEach((d, i) => {
        const step = 5_000 * 2 ** i;
        assert.ok(d >= step / 2 && d <= step, `delay ${i + 1} = ${d} ms, expected within [${step / 2}, ${step}]`);
      });
    });

    test('after 24 h of failures the delivery is given up and the endpoint turns failing; a success makes it active', async () => {
      const org = await f().h.createOrg();
      const ep = await endpoint(org.apiKey, {});
      f().rx.script = () => ({ status: 500 });
      await emit(org.id, 'call.graded', { call_id: 9 });
      const created = f().clock.nowMs();
      let outcomes: string[] = [];
      for (let guard = 0; guard < 200; guard++) {
        outcomes = await deliverDue();
        if (outcomes.includes('failed')) break;
        const next = (await delivery(ep.id)).next_attempt_at;
        f().clock.set(next!);
      }
      assert.deepEqual(outcomes, ['failed']);
      assert.equal(f().clock.nowMs() - created, RETRY_WINDOW_MS, 'the last try happens at the 24 h mark');
      assert.ok((await delivery(ep.id)).attempts > 20);
      assert.equal(await endpointStatus(org.apiKey, ep.id), 'failing');
      f().rx.script = () => ({ status: 200 });
      await emit(org.id, 'call.graded', { call_id: 10 });
      assert.deepEqual(await deliverDue(), ['delivered']);
      assert.equal(await endpointStatus(org.apiKey, ep.id), 'active');
    });

    test('an event matching an endpoint and the legacy URL reaches both, once each, each with its own secret and name', async () => {
      const org = await f().h.createOrg();
      const ep = await endpoint(org.apiKey, { events: ['telephony.complete'] });
      const legacy = await f().h.request('PUT', '/v1/webhook', {
        key: org.apiKey,
        body: { url: f().rx.url('/legacy') },
      });
      assert.equal(legacy.status, 200);
      f().rx.script = () => ({ status: 200 });
      const start = f().rx.requests.length;
      await emit(org.id, 'telephony.complete', { call_id: 5 });
      assert.deepEqual((await deliverDue()).sort(), ['delivered', 'delivered']);
      assert.deepEqual(await deliverDue(), []);
      const got = f().rx.requests.slice(start);
      const toLegacy = got.filter((r) => r.path === '/legacy');
      const toEndpoint = got.filter((r) => r.path === '/hook');
      assert.equal(toLegacy.length, 1);
      assert.equal(toEndpoint.length, 1);
      assert.equal(JSON.parse(toLegacy[0]!.raw.toString()).type, 'call.complete');
      assert.equal(JSON.parse(toEndpoint[0]!.raw.toString()).type, 'telephony.complete');
      assert.ok(
        verifySignature(legacy.body.secret, toLegacy[0]!.raw, toLegacy[0]!.headers['x-thunderphone-signature']),
      );
      assert.ok(verifySignature(ep.secret, toEndpoint[0]!.raw, toEndpoint[0]!.headers['x-thunderphone-signature']));
      assert.equal(toLegacy[0]!.headers['x-thunderphone-event-id'], toEndpoint[0]!.headers['x-thunderphone-event-id']);
    });

    test('event filters: subscribed types only, [] means all, disabled endpoints and other orgs get nothing', async () => {
      const org = await f().h.createOrg();
      const other = await f().h.createOrg();
      const graded = await endpoint(org.apiKey, { events: ['call.graded'] });
      const all = await endpoint(org.apiKey, { events: [] });
      const off = await endpoint(org.apiKey, {});
      const foreign = await endpoint(other.apiKey, {});
      assert.equal(
        (
          await f().h.request('PATCH', `/v1/developer/webhook-endpoints/${off.id}`, {
            key: org.apiKey,
            body: { status: 'disabled' },
          })
        ).status,
        200,
      );
      f().rx.script = () => ({ status: 200 });
      await emit(org.id, 'telephony.tool', { call_id: 1, name: 'lookup' });
      await emit(org.id, 'call.graded', { call_id: 1 });
      await deliverDue();
      const count = async (id: string) =>
        Number(
          (
            await f()
              .h.deps.store.db.selectFrom('webhook_deliveries')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('endpoint_id', '=', id)
              .executeTakeFirstOrThrow()
          ).n,
        );
      assert.equal(await count(graded.id), 1);
      assert.equal(await count(all.id), 2);
      assert.equal(await count(off.id), 0);
      assert.equal(await count(foreign.id), 0);
    });

    test('an emit inside a rolled-back transaction sends nothing', async () => {
      const org = await f().h.createOrg();
      await endpoint(org.apiKey, {});
      const { deps } = f().h;
      const start = f().rx.requests.length;
      await assert.rejects(
        deps.store.db.transaction().execute(async (trx) => {
          await deps.webhooks.emit(trx, { orgId: org.id, type: 'call.graded', data: { call_id: 1 } });
          throw new Error('state change failed');
        }),
      );
      assert.deepEqual(await deliverDue(), []);
      assert.equal(f().rx.requests.length, start);
    });

    test('during a secret rotation grace period both secrets sign; afterwards only the new one', async () => {
      const org = await f().h.createOrg();
      const ep = await endpoint(org.apiKey, {});
      const rotated = await f().h.request('POST', `/v1/developer/webhook-endpoints/${ep.id}/rotate-secret`, {
        key: org.apiKey,
        body: { grace_period_seconds: 3600 },
      });
      assert.equal(rotated.status, 200, rotated.text);
      assert.notEqual(rotated.body.secret, ep.secret);
      f().rx.script = () => ({ status: 200 });
      const start = f().rx.requests.length;
      await emit(org.id, 'call.graded', { call_id: 1 });
      await deliverDue();
      const inGrace = f().rx.requests[start]!;
      assert.ok(verifySignature(rotated.body.secret, inGrace.raw, inGrace.headers['x-thunderphone-signature']));
      assert.ok(verifySignature(ep.secret, inGrace.raw, inGrace.headers['x-thunderphone-signature-previous']));
      f().clock.advance(3600_000 + 1);
      await emit(org.id, 'call.graded', { call_id: 2 });
      await deliverDue();
      const after = f().rx.requests[start + 1]!;
      assert.ok(verifySignature(rotated.body.secret, after.raw, after.headers['x-thunderphone-signature']));
      assert.equal(after.headers['x-thunderphone-signature-previous'], undefined);
    });

    test('deleting an endpoint cancels its pending retries', async () => {
      const org = await f().h.createOrg();
      const ep = await endpoint(org.apiKey, {});
      f().rx.script = () => ({ status: 500 });
      await emit(org.id, 'call.graded', { call_id: 1 });
      await deliverDue();
      assert.equal(
        (await f().h.request('DELETE', `/v1/developer/webhook-endpoints/${ep.id}`, { key: org.apiKey })).status,
        204,
      );
      f().clock.advance(60_000);
      assert.deepEqual(await deliverDue(), []);
      assert.equal((await delivery(ep.id)).status, 'cancelled');
    });
  },
);
