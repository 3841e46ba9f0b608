import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeTimers } from '../shared/timers';
import { CallWatchdog } from './call-watchdog';

test('a fed deadline is pushed back; a disarmed or disposed one never fires', () => {
  const timers = new FakeTimers();
  const w = new CallWatchdog(timers);
  const fired: string[] = [];
  w.arm('media', 30_000, () => fired.push(`media@${timers.nowMs}`));
  w.arm('ring', 65_000, () => fired.push('ring'));
  w.arm('max', 120_000, () => fired.push('max'));
  timers.advance(20_000);
  w.feed('media');
  w.disarm('ring');
  timers.advance(40_000);
  assert.deepEqual(fired, ['media@50000']);
  w.feed('media'); // already fired: nothing to push back
  w.dispose();
  w.arm('media', 1000, () => fired.push('late'));
  timers.advance(200_000);
  assert.deepEqual(fired, ['media@50000']);
  assert.equal(timers.pendingCount, 0);
});
