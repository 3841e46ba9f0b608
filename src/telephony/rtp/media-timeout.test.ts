import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MediaTimeoutWatch } from './media-timeout';

describe('media timeout watch', () => {
  it('fires once after timeoutMs without packets, and again after media came back and stopped', () => {
    const w = new MediaTimeoutWatch(1000);
    w.start(0);
    assert.equal(w.poll(999), false);
    assert.equal(w.poll(1000), true);
    assert.equal(w.poll(1500), false, 'only once');
    w.packet(1600);
    assert.equal(w.poll(2599), false);
    assert.equal(w.poll(2600), true);
  });

  it('each packet pushes the deadline back', () => {
    const w = new MediaTimeoutWatch(1000);
    w.start(0);
    for (let t = 0; t <= 5000; t += 20) {
      w.packet(t);
      assert.equal(w.poll(t + 10), false);
    }
  });

  it('is silent while suspended (hold) and restarts the countdown on resume', () => {
    const w = new MediaTimeoutWatch(1000);
    w.start(0);
    w.suspend();
    assert.equal(w.poll(10_000), false);
    w.resume(10_000);
    assert.equal(w.poll(10_999), false);
    assert.equal(w.poll(11_000), true);
  });

  it('rejects a non-positive timeout', () => {
    assert.throws(() => new MediaTimeoutWatch(0), RangeError);
  });
});
