import { describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { BalanceGuard } from './balance-guard';
import { CallWatchdog } from './call-watchdog';

describe('balance guard', () => {
  test('with 5 cents at 2 ¢/min the call ends shortly before its third minute', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let exhaustedAt: number | undefined;
      let elapsed = 0;
      const guard = new BalanceGuard({
        rateCentsPerMinute: 2,
        reserveMinutes: async (minutes) => minutes * 2 <= 5,
        onExhausted: () => (exhaustedAt = elapsed),
        marginMs: 2000,
      });
      guard.start();
      for (let i = 0; i < 200 && exhaustedAt === undefined; i++) {
        elapsed += 1000;
        mock.timers.tick(1000);
        await new Promise((r) => setImmediate(r));
      }
      assert.equal(exhaustedAt, 118_000, 'ends 2 s before minute 3 would start');
      guard.stop();
    } finally {
      mock.timers.reset();
    }
  });

  test('a balance that pays keeps the call going; stop() cancels', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const reserved: number[] = [];
      let exhausted = false;
      const guard = new BalanceGuard({
        rateCentsPerMinute: 2,
        reserveMinutes: async (minutes) => (reserved.push(minutes), true),
        onExhausted: () => (exhausted = true),
      });
      guard.start();
      for (let i = 0; i < 5; i++) {
        mock.timers.tick(60_000);
        await new Promise((r) => setImmediate(r));
      }
      guard.stop();
      mock.timers.tick(600_000);
      assert.equal(exhausted, false);
      assert.deepEqual(reserved, [2, 3, 4, 5, 6], 'each next minute is reserved before it starts');
    } finally {
      mock.timers.reset();
    }
  });
});

describe('call watchdog', () => {
  test('a deadline fires once; feeding it pushes it back; dispose cancels all', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const w = new CallWatchdog();
      const fired: string[] = [];
      w.arm('media', 1000, () => fired.push('media'));
      w.arm('max', 5000, () => fired.push('max'));
      mock.timers.tick(800);
      w.feed('media');
      mock.timers.tick(800);
      assert.deepEqual(fired, []);
      mock.timers.tick(300);
      assert.deepEqual(fired, ['media']);
      w.dispose();
      mock.timers.tick(10_000);
      assert.deepEqual(fired, ['media']);
    } finally {
      mock.timers.reset();
    }
  });
});
