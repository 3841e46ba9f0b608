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
});
