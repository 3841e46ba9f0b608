import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { canonicalJson, signBody } from './tool-signature';

test('canonical JSON sorts keys at every level, has no whitespace and escapes non-ASCII like Python', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'é€' } }),
    '{"a":{"c":"\\u00e9\\u20ac","d":[3,{"y":2,"z":1}]},"b":1}',
  );
  assert.equal(canonicalJson({}), '{}');
});

test('the signature is lowercase hex HMAC-SHA256 of the exact body with the secret as issued', () => {
  const body = '{"date":"2025-01-02"}';
  assert.equal(signBody('whsec_abc', body), createHmac('sha256', 'whsec_abc').update(body).digest('hex'));
  assert.match(signBody('whsec_abc', body), /^[0-9a-f]{64}$/);
});
