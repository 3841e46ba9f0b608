import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeTimers } from '../../shared/timers';
import type { Clock } from '../../shared/clock';
import { MediaTicker, type TickedSession } from './media-ticker';

function setup(): { timers: FakeTimers; ticker: MediaTicker } {
  const timers = new FakeTimers();
  const clock: Clock = { nowMs: () => timers.nowMs, nowIso: () => '', monotonicMs: () => timers.nowMs };
  return { timers, ticker: new MediaTicker({ clock, timers }) };
}

function session(log: Array<[string, number, number]>, name: string): TickedSession {
  return { onMediaTick: (send, skipped) => log.push([name, send, skipped]) };
}

describe('MediaTicker: one 20 ms clock for many sessions', () => {
  it('serves every session once per tick, one timer chain for all, and stops when the last one leaves', () => {
    const { timers, ticker } = setup();
    const log: Array<[string, number, number]> = [];
    const a = session(log, 'a');
    const b = session(log, 'b');
    ticker.add(a);
    ticker.add(b);
    timers.advance(100);
    const ticksOf = (n: string): number => log.filter((e) => e[0] === n).length;
    assert.equal(ticksOf('a'), 6, 'a: at 0, 20, 40, 60, 80, 100 ms');
    assert.equal(ticksOf('b'), 5, 'b joined after the first tick');
    assert.equal(timers.pendingCount, 1, 'one timer for both sessions');
    ticker.remove(a);
    ticker.remove(b);
    assert.equal(timers.pendingCount, 0, 'no timer while nobody is served');
    assert.equal(ticker.stats().sessions, 0);
  });

  it('after a stall: a burst of at most 3 frames, the rest skipped for all sessions alike', () => {
    const timers = new FakeTimers();
    let stalledMs = 0;
    const clock: Clock = { nowMs: () => 0, nowIso: () => '', monotonicMs: () => timers.nowMs + stalledMs };
    const ticker = new MediaTicker({ clock, timers });
    const log: Array<[string, number, number]> = [];
    ticker.add(session(log, 'a'));
    timers.advance(20);
    log.length = 0;
    stalledMs = 200; // the thread was blocked: the next timer fires 200 ms late
    timers.advance(20);
    assert.deepEqual(log[0], ['a', 3, 8]);
    assert.ok(ticker.stats().tickLagMaxMs >= 180);
    assert.equal(ticker.stats().skippedSlots, 8);
  });

  it('with an alignment, ticks fall on its phase of the 20 ms grid, whenever the first session comes', () => {
    const timers = new FakeTimers();
    const clock: Clock = { nowMs: () => 0, nowIso: () => '', monotonicMs: () => timers.nowMs };
    // This thread's clock started 1003 ms after the shared origin; ticks at shared times ≡ 10 (mod 20).
    const ticker = new MediaTicker({ clock, timers, alignment: { epochOffsetMs: 1003, phaseMs: 10 } });
    timers.advance(5); // shared time 1008: the next slot is at 1010, i.e. local 7
    const at: number[] = [];
    ticker.add({ onMediaTick: (send) => send > 0 && at.push(timers.nowMs) });
    timers.advance(60);
    assert.ok(at.length >= 3, `ticked ${at.length} times`);
    for (const t of at) {
      const off = (((t + 1003 - 10) % 20) + 20) % 20;
      assert.ok(Math.min(off, 20 - off) <= 1, `tick at local ${t} is on the grid (timers fire up to 1 ms early)`);
    }
    assert.ok(at[0]! >= 6 && at[0]! <= 7, `first tick at local ${at[0]}, not at once`);
  });
});
