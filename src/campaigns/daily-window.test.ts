import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowState } from './daily-window';

const at = (iso: string) => Date.parse(iso);
const H = 3_600_000;

test('a 09:00–17:00 window in New York: open inside, closed after 17:00 until 09:00 the next day', () => {
  // 2026-01-14 is EST (UTC−5).
  assert.deepEqual(windowState(at('2026-01-14T14:00:00Z'), 'America/New_York', '09:00', '17:00'), {
    open: true,
    closesAtMs: at('2026-01-14T22:00:00Z'),
  });
  assert.deepEqual(windowState(at('2026-01-14T22:00:00Z'), 'America/New_York', '09:00', '17:00'), {
    open: false,
    opensAtMs: at('2026-01-15T14:00:00Z'),
  });
  // Before the window on the same local day (08:59 local).
  assert.deepEqual(windowState(at('2026-01-14T13:59:00Z'), 'America/New_York', '09:00', '17:00'), {
    open: false,
    opensAtMs: at('2026-01-14T14:00:00Z'),
  });
  // Across midnight in UTC but not locally: 23:30 local is 04:30Z the next UTC day.
  const late = windowState(at('2026-01-15T04:30:00Z'), 'America/New_York', '09:00', '17:00');
  assert.deepEqual(late, { open: false, opensAtMs: at('2026-01-15T14:00:00Z') });
});

test('DST: the window follows the wall clock (spring forward: 17:00 → 09:00 is 15 h; fall back: 17 h)', () => {
  // US clocks go forward on 2026-03-08 (02:00 EST → 03:00 EDT).
  const before = windowState(at('2026-03-07T22:00:00Z'), 'America/New_York', '09:00', '17:00');
  assert.equal(before.open, false);
  assert.equal(!before.open && before.opensAtMs - at('2026-03-07T22:00:00Z'), 15 * H);
  assert.equal(!before.open && new Date(before.opensAtMs).toISOString(), '2026-03-08T13:00:00.000Z');
  // ...and back on 2026-11-01.
  const fall = windowState(at('2026-10-31T21:00:00Z'), 'America/New_York', '09:00', '17:00');
  assert.equal(!fall.open && fall.opensAtMs - at('2026-10-31T21:00:00Z'), 17 * H);
  // A window starting at a wall time that does not exist that day (02:30 on the spring-forward day).
  const gap = windowState(at('2026-03-08T06:00:00Z'), 'America/New_York', '02:30', '04:00');
  assert.equal(gap.open, false);
  assert.equal(!gap.open && new Date(gap.opensAtMs).toISOString(), '2026-03-08T07:30:00.000Z');
});

test('an overnight window (22:00–02:00) in Berlin spans local midnight', () => {
  const zone = 'Europe/Berlin'; // CET (UTC+1) in January
  const w = (iso: string) => windowState(at(iso), zone, '22:00', '02:00');
  assert.deepEqual(w('2026-01-14T22:30:00Z'), { open: true, closesAtMs: at('2026-01-15T01:00:00Z') }); // 23:30 local
  assert.deepEqual(w('2026-01-15T00:59:00Z'), { open: true, closesAtMs: at('2026-01-15T01:00:00Z') }); // 01:59 local
  assert.deepEqual(w('2026-01-15T01:00:00Z'), { open: false, opensAtMs: at('2026-01-15T21:00:00Z') }); // 02:00 local
});

test('00:00–24:00 is open all day and never closes', () => {
  const s = windowState(at('2026-05-05T12:00:00Z'), 'Asia/Tokyo', '00:00', '24:00');
  assert.deepEqual(s, { open: true, closesAtMs: Infinity });
});
