import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../shared/clock';
import { FakeTimers } from '../../shared/timers';
import { Ticker } from './ticker';

function rig(): { clock: FakeClock; timers: FakeTimers; ticker: Ticker; ticks: number[] } {
  const clock = new FakeClock();
  const timers = new FakeTimers();
  const ticks: number[] = [];
  const ticker = new Ticker(clock, timers);
  ticker.start(() => ticks.push(clock.monotonicMs()));
  return { clock, timers, ticker, ticks };
}

test('one tick per 20 ms of clock time; late timers catch up, a long stall skips ahead (at most 10 at once)', () => {
  const { clock, timers, ticker, ticks } = rig();
  for (let i = 0; i < 5; i++) {
    clock.advance(20);
    timers.advance(20);
  }
  assert.equal(ticks.length, 5);
  clock.advance(60); // the event loop was busy: three periods passed before the timer could fire
  timers.advance(20);
  assert.equal(ticks.length, 8);
  clock.advance(1000);
  timers.advance(20);
  assert.equal(ticks.length, 18, 'a 1 s stall runs 10 ticks, not 50');
  ticker.stop();
  clock.advance(100);
  timers.advance(100);
  assert.equal(ticks.length, 18, 'stopped');
  assert.equal(timers.pendingCount, 0);
});
