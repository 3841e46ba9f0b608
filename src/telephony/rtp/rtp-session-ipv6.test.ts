import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { RtpSession } from './rtp-session';
import { loopbackMedia, testPortPool, waitFor } from './testing/rtp-test-kit';

async function ipv6Loopback(): Promise<boolean> {
  const s = createSocket('udp6');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, '::1', () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    try {
      s.close();
    } catch {
      // never bound
    }
  }
}

describe('RtpSession over IPv6', async () => {
  const available = await ipv6Loopback();
  it('carries audio between two sessions bound to ::1', { skip: !available && 'no IPv6 loopback here' }, async () => {
    const pool = testPortPool();
    const a = await RtpSession.open({ pool, bindAddress: '::1' });
    const b = await RtpSession.open({ pool, bindAddress: '::1' });
    try {
      a.setRemote(loopbackMedia(b.localPort, { remoteAddress: '::1' }));
      const frames: Int16Array[] = [];
      b.on('audio', (f) => frames.push(f));
      a.sendAudio(new Int16Array(320).fill(1200));
      a.start();
      await waitFor(() => frames.length >= 2, 'two frames over IPv6');
      assert.ok(Math.abs(frames[0]![0]! - 1200) < 40);
    } finally {
      await a.close();
      await b.close();
    }
    assert.equal(pool.inUse, 0);
  });
});
