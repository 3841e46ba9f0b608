import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SymmetricLatch } from './symmetric-latch';

const sdp = { address: '192.0.2.1', port: 4000 };
const real = { address: '198.51.100.9', port: 31000 };

describe('symmetric RTP latch', () => {
  it('moves to the first source that differs from the SDP address, once', () => {
    const l = new SymmetricLatch(5);
    l.reset(sdp);
    assert.deepEqual(l.observe(real), real);
    assert.equal(l.observe(real), undefined);
    assert.deepEqual(l.dest, real);
  });

  it('keeps the SDP address when the peer sends from it', () => {
    const l = new SymmetricLatch(5);
    l.reset(sdp);
    assert.equal(l.observe(sdp), undefined);
    assert.equal(l.observe(real), undefined, 'one stray packet does not steal the stream');
    assert.deepEqual(l.dest, sdp);
  });

  it('re-latches only after enough consecutive packets from a new source', () => {
    const l = new SymmetricLatch(3);
    l.reset(sdp);
    l.observe(sdp);
    assert.equal(l.observe(real), undefined);
    assert.equal(l.observe(real), undefined);
    assert.deepEqual(l.observe(real), real);
    const other = { address: real.address, port: 31002 };
    l.observe(other);
    l.observe(real); // interrupts the run
    l.observe(other);
    assert.deepEqual(l.dest, real);
  });

  it('learns a destination from packets when the SDP gave none, and reset() forgets the latch', () => {
    const l = new SymmetricLatch();
    l.reset(undefined);
    assert.equal(l.dest, undefined);
    assert.deepEqual(l.observe(real), real);
    l.reset(sdp);
    assert.deepEqual(l.dest, sdp);
  });
});
