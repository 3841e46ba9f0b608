import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pacer } from './pacer';

/** Runs a pacer the way the session's timer adapter does, with timers that fire `late(i)` ms late. */
function simulate(durationMs: number, late: (i: number) => number): { sendTimes: number[]; skipped: number } {
  const pacer = new Pacer({ frameMs: 20 });
  let now = 1000.25;
  pacer.start(now);
  const sendTimes: number[] = [];
  let skipped = 0;
  for (let i = 0; now < 1000.25 + durationMs; i++) {
    const r = pacer.poll(now);
    for (let k = 0; k < r.send; k++) sendTimes.push(now);
    skipped += r.skipped;
    now += Math.max(1, Math.round(r.nextDueMs - now)) + late(i);
  }
  return { sendTimes, skipped };
}

describe('pacer', () => {
  it('sends one frame per 20 ms on an exact timer', () => {
    const { sendTimes } = simulate(1000, () => 0);
    assert.equal(sendTimes.length, 50);
  });

  it('does not accumulate drift when every timer fires 1-3 ms late', () => {
    const { sendTimes, skipped } = simulate(10_000, (i) => 1 + (i % 3));
    // A naive setTimeout(20) loop would have sent only ~10000/22 = 454 frames.
    assert.ok(Math.abs(sendTimes.length - 500) <= 1, `${sendTimes.length} frames`);
    assert.equal(skipped, 0);
    // Frame k never goes out more than one timer lateness after its slot.
    sendTimes.forEach((t, k) =>
      assert.ok(t - (1000.25 + 20 * k) <= 4 && t - (1000.25 + 20 * k) >= -0.5, `frame ${k} at ${t}`),
    );
  });

  it('catches up with a short burst after a stall, and skips slots after a long one', () => {
    const pacer = new Pacer({ frameMs: 20, maxBurstFrames: 3 });
    pacer.start(0);
    assert.deepEqual(pacer.poll(0), { send: 1, skipped: 0, nextDueMs: 20 });
    assert.deepEqual(pacer.poll(45), { send: 2, skipped: 0, nextDueMs: 60 });
    const stall = pacer.poll(500); // slots 3..25 due
    assert.equal(stall.send, 3);
    assert.equal(stall.skipped, 20);
    assert.equal(stall.nextDueMs, 520);
    assert.deepEqual(pacer.poll(510), { send: 0, skipped: 0, nextDueMs: 520 });
  });

  it('sends nothing before start or after stop', () => {
    const pacer = new Pacer();
    assert.equal(pacer.poll(100).send, 0);
    pacer.start(0);
    pacer.stop();
    assert.equal(pacer.poll(100).send, 0);
  });
});
