import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppError } from '../../shared/errors';
import { RtpPortPool } from './port-pool';

describe('RTP port pool', () => {
  it('hands out even ports whose RTCP neighbour is in range, round-robin', () => {
    const pool = new RtpPortPool(20001, 20008);
    assert.equal(pool.capacity, 3);
    const ports = [pool.acquire(), pool.acquire(), pool.acquire()];
    assert.deepEqual(ports, [20002, 20004, 20006]);
    assert.throws(
      () => pool.acquire(),
      (e: AppError) => e.code === 'rtp_ports_exhausted',
    );
    pool.release(20004);
    pool.release(20004);
    assert.equal(pool.inUse, 2);
    assert.equal(pool.acquire(), 20004);
  });

  it('does not hand a just-released port out again while others are free', () => {
    const pool = new RtpPortPool(30000, 30009);
    const first = pool.acquire();
    pool.release(first);
    assert.notEqual(pool.acquire(), first);
  });

  it('refuses a range without a port pair', () => {
    assert.throws(() => new RtpPortPool(20001, 20002), RangeError);
    assert.throws(() => new RtpPortPool(30000, 20000), RangeError);
  });
});
