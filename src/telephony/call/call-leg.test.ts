import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestUa } from '../../../test/sipp/ua-fixture';
import { freePort } from '../../../test/sipp/sipp-harness';
import type { CallAgent } from './call-agent';
import type { IncomingCall } from './incoming-call';
import type { CallLeg } from './call-leg';
import type { LegEnded } from './call-leg-types';

/** Two of our own user agents calling each other over loopback (UDP or TCP). */
async function pair(
  fn: (a: CallAgent, b: CallAgent, nextCall: () => Promise<IncomingCall>) => Promise<void>,
): Promise<void> {
  const a = await startTestUa();
  const b = await startTestUa();
  const queue: IncomingCall[] = [];
  const waiters: Array<(c: IncomingCall) => void> = [];
  b.on('incomingCall', (c) => {
    const w = waiters.shift();
    if (w) w(c);
    else queue.push(c);
  });
  const nextCall = (): Promise<IncomingCall> =>
    new Promise((resolve) => {
      const c = queue.shift();
      if (c) resolve(c);
      else waiters.push(resolve);
    });
  try {
    await fn(a, b, nextCall);
  } finally {
    await a.close();
    await b.close();
  }
}

function countEnded(leg: CallLeg): () => LegEnded[] {
  const seen: LegEnded[] = [];
  leg.on('ended', (e) => seen.push(e));
  return () => seen;
}

describe('call legs between two of our user agents', { timeout: 30_000 }, () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`${transport}: answered call, audio both ways, BYE from the caller ends both legs once`, async () => {
      await pair(async (a, b, nextCall) => {
        const out = a.dial({
          target: `sip:+15550001111@127.0.0.1:${b.port}`,
          transport,
          fromUser: '+14155550100',
          ringTimeoutMs: 5000,
        });
        const outEnded = countEnded(out);
        const call = await nextCall();
        assert.deepEqual([call.fromUser, call.toUser], ['+14155550100', '+15550001111']);
        const answeredOut = new Promise<void>((r) => out.on('answered', () => r()));
        const inbound = await call.accept();
        await answeredOut;
        const heard = new Promise<number>((resolve) => {
          inbound.media!.on('audio', (f) => f.some((v) => Math.abs(v) > 1000) && resolve(f.length));
        });
        out.media!.sendAudio(new Int16Array(1600).fill(8000));
        assert.equal(await heard, 160);
        await out.hangUp();
        const inEnd = await inbound.whenEnded();
        assert.deepEqual([inEnd.outcome, inEnd.byRemote], ['completed', true]);
        assert.deepEqual(
          outEnded().map((e) => [e.outcome, e.byRemote]),
          [['completed', false]],
        );
        assert.equal(a.media.pool.inUse + b.media.pool.inUse, 0, 'both RTP ports released');
      });
    });
  }

  it('callee rejects with 486 → caller busy; callee reject → rejected', async () => {
    await pair(async (a, b, nextCall) => {
      const out = a.dial({ target: `sip:+1555@127.0.0.1:${b.port}`, fromUser: 'x', ringTimeoutMs: 5000 });
      (await nextCall()).reject(486);
      assert.deepEqual([(await out.whenEnded()).outcome, (await out.whenEnded()).sipStatus], ['busy', 486]);
      const out2 = a.dial({ target: `sip:+1555@127.0.0.1:${b.port}`, fromUser: 'x', ringTimeoutMs: 5000 });
      const c2 = await nextCall();
      c2.reject();
      assert.equal((await out2.whenEnded()).outcome, 'rejected');
      assert.equal((await c2.leg.whenEnded()).outcome, 'rejected');
    });
  });

  it('ring timeout: caller CANCELs (no_answer), callee leg ends canceled by remote, exactly one ended each', async () => {
    await pair(async (a, b, nextCall) => {
      const out = a.dial({ target: `sip:+1555@127.0.0.1:${b.port}`, fromUser: 'x', ringTimeoutMs: 200 });
      const outEnded = countEnded(out);
      const call = await nextCall();
      const inEnded = countEnded(call.leg);
      call.ring();
      const end = await out.whenEnded();
      assert.deepEqual([end.outcome, end.sipStatus], ['no_answer', 487]);
      const inEnd = await call.leg.whenEnded();
      assert.deepEqual([inEnd.outcome, inEnd.byRemote], ['canceled', true]);
      await assert.rejects(call.accept(), /cannot accept/);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(outEnded().length, 1);
      assert.equal(inEnded().length, 1);
    });
  });

  it('hangUp while the call is still being set up: canceled on both sides', async () => {
    await pair(async (a, b, nextCall) => {
      const out = a.dial({ target: `sip:+1555@127.0.0.1:${b.port}`, fromUser: 'x', ringTimeoutMs: 5000 });
      const call = await nextCall();
      await out.hangUp();
      assert.deepEqual([(await out.whenEnded()).outcome, (await out.whenEnded()).byRemote], ['canceled', false]);
      assert.deepEqual(
        [(await call.leg.whenEnded()).outcome, (await call.leg.whenEnded()).byRemote],
        ['canceled', true],
      );
      assert.equal(a.media.pool.inUse + b.media.pool.inUse, 0);
    });
  });

  it('DTMF sent with sendDtmf arrives as RFC 4733 digits', async () => {
    await pair(async (a, b, nextCall) => {
      const out = a.dial({ target: `sip:+1555@127.0.0.1:${b.port}`, fromUser: 'x', ringTimeoutMs: 5000 });
      const inbound = await (await nextCall()).accept();
      await new Promise<void>((r) => (out.state === 'answered' ? r() : out.on('answered', () => r())));
      const digits: string[] = [];
      const done = new Promise<void>((resolve) => inbound.on('dtmf', (d) => digits.push(d.digit) === 3 && resolve()));
      await out.sendDtmf('4#9');
      await done;
      assert.deepEqual(digits, ['4', '#', '9']);
      await inbound.hangUp();
      assert.deepEqual([(await out.whenEnded()).outcome, (await out.whenEnded()).byRemote], ['completed', true]);
    });
  });

  it('an invalid target URI ends at once with invalid_number and no RTP port held', async () => {
    await pair(async (a) => {
      const leg = a.dial({ target: 'not-a-uri', fromUser: 'x' });
      assert.equal((await leg.whenEnded()).outcome, 'invalid_number');
      assert.equal(a.media.pool.inUse, 0);
    });
  });

  it('a user agent without an incomingCall listener answers 480 (→ no_answer)', async () => {
    await pair(async (a) => {
      const leg = a.dial({ target: `sip:+1555@127.0.0.1:${a.port}`, fromUser: 'x', ringTimeoutMs: 5000 });
      assert.deepEqual([(await leg.whenEnded()).outcome, (await leg.whenEnded()).sipStatus], ['no_answer', 480]);
    });
  });

  it('TCP connection refused → provider_error from the transport error (timer B would take 320 s here)', async () => {
    const a = await startTestUa({ sipTimers: { t1Ms: 5000, t2Ms: 20_000, t4Ms: 25_000 } });
    try {
      const leg = a.dial({
        target: `sip:+1555@127.0.0.1:${await freePort()};transport=tcp`,
        fromUser: 'x',
        ringTimeoutMs: 600_000,
      });
      const end = await leg.whenEnded();
      assert.equal(end.outcome, 'provider_error');
      assert.equal(a.media.pool.inUse, 0);
    } finally {
      await a.close();
    }
  });
});
