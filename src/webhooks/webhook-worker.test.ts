import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../test/support/api-harness';
import { WebhookReceiver } from './testing/webhook-receiver';
import { FakeClock } from '../shared/clock';

let rx: WebhookReceiver;
const clock = new FakeClock();
before(async () => {
  rx = await WebhookReceiver.start();
});
after(async () => rx.close());

async function eventually(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describeApi(
  'webhook delivery worker (real queue)',
  (h) => {
    test('a committed event is delivered by the webhooks.deliver job without any manual step', async () => {
      const org = await h().createOrg();
      const res = await h().request('POST', '/v1/developer/webhook-endpoints', {
        key: org.apiKey,
        body: { label: 'w', url: rx.url(`/w-${h().dialect}`), events: ['test-call.completed'] },
      });
      assert.equal(res.status, 201);
      rx.script = () => ({ status: 200 });
      const { deps } = h();
      await deps.store.db
        .transaction()
        .execute((trx) => deps.webhooks.emit(trx, { orgId: org.id, type: 'test-call.completed', data: { run_id: 3 } }));
      const mine = () => rx.requests.filter((r) => r.path === `/w-${h().dialect}`);
      await eventually(() => mine().length === 1);
      assert.equal(JSON.parse(mine()[0]!.raw.toString()).type, 'test-call.completed');
      // The row is updated after the receiver's answer: poll until it is.
      const row = async () =>
        deps.store.db
          .selectFrom('webhook_deliveries')
          .select(['status', 'attempts'])
          .where('endpoint_id', '=', res.body.id)
          .executeTakeFirstOrThrow();
      for (let i = 0; i < 200 && (await row()).status !== 'delivered'; i++) await new Promise((r) => setTimeout(r, 25));
      assert.deepEqual(await row(), { status: 'delivered', attempts: 1 });
      assert.equal(mine().length, 1);
    });

    test('a failed attempt is retried through the sweeper and the queue once the backoff has elapsed', async () => {
      const org = await h().createOrg();
      const path = `/r-${h().dialect}`;
      const res = await h().request('POST', '/v1/developer/webhook-endpoints', {
        key: org.apiKey,
        body: { label: 'r', url: rx.url(path), events: ['call.graded'] },
      });
      const mine = () => rx.requests.filter((r) => r.path === path);
      rx.script = (req) => (req.path === path && mine().length === 1 ? { status: 500 } : { status: 200 });
      const { deps } = h();
      await deps.store.db
        .transaction()
        .execute((trx) => deps.webhooks.emit(trx, { orgId: org.id, type: 'call.graded', data: { call_id: 8 } }));
      await eventually(() => mine().length === 1);
      const row = async () =>
        deps.store.db
          .selectFrom('webhook_deliveries')
          .selectAll()
          .where('endpoint_id', '=', res.body.id)
          .executeTakeFirstOrThrow();
      for (let i = 0; i < 200 && (await row()).attempts < 1; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal((await row()).status, 'pending');
      // The harness's sweeper ticks every minute; sweep by hand on the injected clock.
      assert.equal(await deps.webhooks.dispatcher.sweep(), 0, 'not due yet on the injected clock');
      clock.advance(10_000);
      // The first job may still be finishing in the queue (singleton key): sweep until enqueued.
      for (let i = 0; i < 200 && (await deps.webhooks.dispatcher.sweep()) === 0 && mine().length < 2; i++)
        await new Promise((r) => setTimeout(r, 25));
      await eventually(() => mine().length === 2);
      for (let i = 0; i < 200 && (await row()).status !== 'delivered'; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal((await row()).status, 'delivered');
      assert.equal((await row()).attempts, 2);
    });
  },
  { clock, startWebhookWorkers: { sweepIntervalMs: 60_000 } },
);
