import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GuardedHttpClient } from './guarded-http-client';
import { OutgoingHttpError } from './outgoing-http-error';
import { classifyAddress } from './address-policy';
import { WebhookReceiver } from '../webhooks/testing/webhook-receiver';

let rx: WebhookReceiver;
before(async () => {
  rx = await WebhookReceiver.start();
});
after(async () => rx.close());

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof OutgoingHttpError && err.code === code);
}

test('addresses are classified: loopback, private ranges (incl. cloud metadata, IPv4-mapped), public', () => {
  assert.equal(classifyAddress('127.0.0.1'), 'loopback');
  assert.equal(classifyAddress('::1'), 'loopback');
  assert.equal(classifyAddress('::ffff:127.0.0.1'), 'loopback');
  assert.equal(classifyAddress('::ffff:7f00:1'), 'loopback');
  assert.equal(classifyAddress('10.0.0.8'), 'private');
  assert.equal(classifyAddress('169.254.169.254'), 'private');
  assert.equal(classifyAddress('192.168.1.1'), 'private');
  assert.equal(classifyAddress('fd00::1'), 'private');
  assert.equal(classifyAddress('::ffff:10.0.0.1'), 'private');
  assert.equal(classifyAddress('0.0.0.0'), 'private');
  assert.equal(classifyAddress('93.184.216.34'), 'public');
  assert.equal(classifyAddress('2606:4700::1111'), 'public');
});

test('loopback is reachable under the default policy and the body and headers go through', async () => {
  rx.script = () => ({ status: 201, body: '{"ok":true}', headers: { 'x-reply': 'yes' } });
  const client = new GuardedHttpClient({ allowPrivateTargets: 'loopback' });
  const res = await client.request({
    url: rx.url('/a'),
    method: 'POST',
    headers: { 'x-test': '1' },
    body: '{"a":1}',
    timeoutMs: 5000,
  });
  assert.equal(res.status, 201);
  assert.equal(res.bodyText, '{"ok":true}');
  assert.equal(res.headers['x-reply'], 'yes');
  const got = rx.requests.at(-1);
  assert.equal(got?.raw.toString(), '{"a":1}');
  assert.equal(got?.headers['x-test'], '1');
});

test('with ALLOW_PRIVATE_TARGETS=none loopback is refused before any connection', async () => {
  const before = rx.requests.length;
  const client = new GuardedHttpClient({ allowPrivateTargets: 'none' });
  await rejectsWith(client.request({ url: rx.url() }), 'target_not_allowed');
  await rejectsWith(client.request({ url: `http://localhost:${rx.port}/` }), 'target_not_allowed');
  await rejectsWith(client.request({ url: `http://[::ffff:127.0.0.1]:${rx.port}/` }), 'target_not_allowed');
  assert.equal(rx.requests.length, before);
});

test('private and metadata addresses are refused unless the policy is all; non-http schemes always', async () => {
  const client = new GuardedHttpClient({ allowPrivateTargets: 'loopback' });
  await rejectsWith(client.request({ url: 'http://169.254.169.254/latest/meta-data' }), 'target_not_allowed');
  await rejectsWith(client.request({ url: 'http://10.0.0.1/' }), 'target_not_allowed');
  await rejectsWith(client.request({ url: 'file:///etc/passwd' }), 'target_not_allowed');
  await rejectsWith(client.request({ url: 'not a url' }), 'invalid_url');
});

test('a host name is resolved once and the socket connects to the checked address (no DNS rebinding)', async () => {
  const lookups: string[] = [];
  const answers = [[{ address: '127.0.0.1', family: 4 }], [{ address: '10.0.0.9', family: 4 }]];
  const client = new GuardedHttpClient({
    allowPrivateTargets: 'loopback',
    resolve: async (host) => {
      lookups.push(host);
      return answers[lookups.length - 1] ?? [];
    },
  });
  rx.script = () => ({ status: 200, body: 'ok' });
  const res = await client.request({ url: `http://hooks.example.test:${rx.port}/x` });
  assert.equal(res.status, 200);
  assert.deepEqual(lookups, ['hooks.example.test']);
  assert.equal(rx.requests.at(-1)?.headers.host, `hooks.example.test:${rx.port}`);
  // The next resolution points at a private address: refused, nothing sent.
  const count = rx.requests.length;
  await rejectsWith(client.request({ url: `http://hooks.example.test:${rx.port}/x` }), 'target_not_allowed');
  assert.equal(rx.requests.length, count);
});

test('redirects: same origin followed, another host returned as the 3xx without following', async () => {
  const client = new GuardedHttpClient({ allowPrivateTargets: 'loopback' });
  rx.script = (req) =>
    req.path === '/start'
      ? { status: 307, headers: { location: '/final' } }
      : req.path === '/final'
        ? { status: 200, body: 'final' }
        : { status: 302, headers: { location: 'http://169.254.169.254/' } };
  const same = await client.request({ url: rx.url('/start'), method: 'POST', body: 'x' });
  assert.equal(same.status, 200);
  assert.equal(same.bodyText, 'final');
  assert.equal(rx.requests.at(-1)?.raw.toString(), 'x');
  const other = await client.request({ url: rx.url('/elsewhere') });
  assert.equal(other.status, 302);
});

test('timeout, oversized bodies and dropped connections surface as typed errors', async () => {
  const client = new GuardedHttpClient({ allowPrivateTargets: 'loopback', maxResponseBytes: 1000 });
  rx.script = () => ({ status: 200, body: 'late', delayMs: 2000 });
  await rejectsWith(client.request({ url: rx.url(), timeoutMs: 150 }), 'timeout');
  rx.script = () => ({ status: 200, body: 'x'.repeat(5000) });
  await rejectsWith(client.request({ url: rx.url() }), 'response_too_large');
  rx.script = () => 'drop';
  await rejectsWith(client.request({ url: rx.url() }), 'network_error');
});

test('readBody: false resolves on the status line and ignores even a huge body', async () => {
  const client = new GuardedHttpClient({ allowPrivateTargets: 'loopback', maxResponseBytes: 10 });
  rx.script = () => ({ status: 202, body: 'y'.repeat(200_000) });
  const res = await client.request({ url: rx.url(), method: 'POST', body: '{}', readBody: false });
  assert.equal(res.status, 202);
  assert.equal(res.bodyText, '');
});
