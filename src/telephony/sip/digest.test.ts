import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildDigestAuthorization,
  computeDigestResponse,
  parseDigestChallenge,
  verifyDigestAuthorization,
} from './digest';

describe('digest authentication', () => {
  // RFC 7616 §3.9.1 example (MD5 and SHA-256, qop=auth).
  const base = {
    username: 'Mufasa',
    password: 'Circle of Life',
    realm: 'http-auth@example.org',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    method: 'GET',
    uri: '/dir/index.html',
    qop: 'auth' as const,
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  it('MD5 response matches RFC 7616', () => {
    assert.equal(computeDigestResponse({ ...base, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
  });
  it('SHA-256 response matches RFC 7616', () => {
    assert.equal(
      computeDigestResponse({ ...base, algorithm: 'SHA-256' }),
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });
  it('parses challenges and rejects unsupported ones', () => {
    const c = parseDigestChallenge(
      'Digest realm="sip.example", nonce="abc", qop="auth,auth-int", algorithm=SHA-256, opaque="o"',
    );
    assert.deepEqual(c, {
      realm: 'sip.example',
      nonce: 'abc',
      algorithm: 'SHA-256',
      qop: 'auth',
      opaque: 'o',
      stale: false,
    });
    assert.equal(parseDigestChallenge('Basic realm="x"'), null);
    assert.equal(parseDigestChallenge('Digest realm="x", nonce="n", algorithm=MD5-sess'), null);
    assert.equal(parseDigestChallenge('Digest realm="x", nonce="n", qop="auth-int"'), null);
  });
  it('builds an Authorization value that verifies only with the right password (with and without qop)', () => {
    for (const header of [
      'Digest realm="r", nonce="n1", qop="auth"',
      'Digest realm="r", nonce="n1"',
      'Digest realm="r", nonce="n1", algorithm=SHA-256, qop=auth',
    ]) {
      const ch = parseDigestChallenge(header)!;
      const auth = buildDigestAuthorization(ch, { username: 'alice', password: 'pw' }, 'INVITE', 'sip:bob@h', 'cn0nce');
      assert.ok(verifyDigestAuthorization(auth, 'INVITE', { username: 'alice', password: 'pw' }));
      assert.ok(!verifyDigestAuthorization(auth, 'INVITE', { username: 'alice', password: 'pW' }));
      assert.ok(!verifyDigestAuthorization(auth, 'BYE', { username: 'alice', password: 'pw' }));
    }
  });
});
