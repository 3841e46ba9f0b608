import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSipp, freePort } from './sipp-harness';
import { startTestUa } from './ua-fixture';
import { SipTrunkVerifier } from '../../src/telephony/trunk-verifier';

describe('SIP trunk verifier against sipp', { concurrency: false, timeout: 30_000 }, () => {
  for (const [password, valid] of [
    ['secret', true],
    ['wrong', false],
  ] as const) {
    it(`reachable trunk, ${valid ? 'accepted' : 'rejected'} credentials`, async () => {
      const ua = await startTestUa();
      const sipp = await startSipp('uas-registrar.xml');
      try {
        const r = await new SipTrunkVerifier(ua.core).verify({
          host: '127.0.0.1',
          port: sipp.port,
          username: 'alice',
          password,
          timeoutMs: 5000,
        });
        assert.equal(r.reachable, true);
        assert.equal(r.credentialsValid, valid);
        assert.equal(r.outboundAuthorized, valid);
        assert.equal(r.registerStatus, valid ? 200 : 403);
        assert.equal((await sipp.done).code, 0, 'sipp saw OPTIONS, REGISTER, authenticated REGISTER');
        assert.match(
          sipp.messages(),
          /REGISTER sip:127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*Authorization: Digest username="alice"/,
        );
      } finally {
        sipp.kill();
        await ua.close();
      }
    });
  }

  it('unreachable trunk: reachable=false within the timeout, credentials not checked', async () => {
    const ua = await startTestUa();
    try {
      const r = await new SipTrunkVerifier(ua.core).verify({
        host: '127.0.0.1',
        port: await freePort(),
        username: 'alice',
        password: 'secret',
        timeoutMs: 300,
      });
      assert.deepEqual([r.reachable, r.credentialsValid, r.outboundAuthorized], [false, false, false]);
      assert.match(r.detail, /unreachable/);
    } finally {
      await ua.close();
    }
  });
});
