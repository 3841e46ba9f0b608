import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { canonicalJson, envelopeBytes, signBody } from './webhook-signature';
import { backoffDelayMs, nextRetry, RETRY_WINDOW_MS } from './retry-policy';
import { webhookUrlProblem } from './webhook-url';
import { endpointWants, legacyEventName } from './events';
import { secretHint } from './webhook-secret';

test('canonical JSON sorts keys at every depth and has no whitespace', () => {
  const bytes = canonicalJson({ z: 1, a: { y: [3, { d: 1, c: 2 }], b: null }, m: 'x y' });
  assert.equal(bytes, '{"a":{"b":null,"y":[3,{"c":2,"d":1}]},"m":"x y","z":1}');
});

test('non-ASCII text is escaped like Python json.dumps (ensure_ascii)', () => {
  assert.equal(canonicalJson({ name: 'Zoë ☎' }), '{"name":"Zo\\u00eb \\u260e"}');
  assert.deepEqual(JSON.parse(canonicalJson({ name: 'Zoë ☎' })), { name: 'Zoë ☎' });
});

test('the envelope is data, event_id, type (sorted) and the signature is HMAC-SHA256 hex of those bytes', () => {
  const body = envelopeBytes('call.complete', { call_id: 7 }, 'evt_0123456789ab');
  assert.equal(body, '{"data":{"call_id":7},"event_id":"evt_0123456789ab","type":"call.complete"}');
  const expected = createHmac('sha256', 'whsec_test').update(Buffer.from(body)).digest('hex');
  assert.equal(signBody('whsec_test', body), expected);
  assert.match(expected, /^[0-9a-f]{64}$/);
});

test('backoff doubles from 5 s with jitter in [50 %, 100 %] and caps at one hour', () => {
  assert.equal(backoffDelayMs(1, 0), 2_500);
  assert.equal(backoffDelayMs(1, 0.999999), 5_000);
  assert.equal(backoffDelayMs(3, 0.5), 15_000);
  assert.equal(backoffDelayMs(30, 0.5), 2_700_000);
  assert.ok(backoffDelayMs(30, 0.999999) <= 3_600_000);
});

test('retries stop at the 24 h mark: the last try is scheduled at the edge, a failure after it gives up', () => {
  const created = 0;
  assert.deepEqual(nextRetry(created, RETRY_WINDOW_MS - 1_000, 40, 0.5), { kind: 'retry', atMs: RETRY_WINDOW_MS });
  assert.deepEqual(nextRetry(created, RETRY_WINDOW_MS, 41, 0.5), { kind: 'give_up' });
});

test('webhook URLs: https anywhere public, http only to loopback, per ALLOW_PRIVATE_TARGETS', () => {
  assert.equal(webhookUrlProblem('https://example.com/hook', 'loopback'), null);
  assert.equal(webhookUrlProblem('http://localhost:3000/hook', 'loopback'), null);
  assert.equal(webhookUrlProblem('http://127.0.0.1:3000/hook', 'loopback'), null);
  assert.equal(webhookUrlProblem('http://[::1]:3000/hook', 'loopback'), null);
  assert.notEqual(webhookUrlProblem('http://example.com/hook', 'loopback'), null);
  assert.notEqual(webhookUrlProblem('ftp://example.com/hook', 'all'), null);
  assert.notEqual(webhookUrlProblem('not a url', 'all'), null);
  assert.notEqual(webhookUrlProblem('http://localhost/hook', 'none'), null);
  assert.notEqual(webhookUrlProblem('https://10.1.2.3/hook', 'loopback'), null);
  assert.notEqual(webhookUrlProblem('https://169.254.169.254/latest', 'loopback'), null);
  assert.equal(webhookUrlProblem('http://10.1.2.3/hook', 'all'), null);
  assert.notEqual(webhookUrlProblem('https://user:pw@example.com/hook', 'all'), null);
});

test('event filters and legacy names', () => {
  assert.equal(endpointWants([], 'call.graded'), true);
  assert.equal(endpointWants(['call.graded'], 'telephony.complete'), false);
  assert.equal(legacyEventName('telephony.complete'), 'call.complete');
  assert.equal(legacyEventName('web.complete'), 'call.complete');
  assert.equal(legacyEventName('telephony.incoming'), 'call.incoming');
  assert.equal(legacyEventName('call.graded'), 'call.graded');
});

test('secret hint keeps the prefix, three first and five last characters', () => {
  assert.equal(secretHint('whsec_abcdef0123456789xyz12'), 'whsec_abc…xyz12');
});
