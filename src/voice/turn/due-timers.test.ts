import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TIMINGS } from '../session-options';
import { dueTimers, quietTimerState, type TimerState } from './due-timers';

const base: TimerState = quietTimerState();
const t = { ...DEFAULT_TIMINGS, nudgeAfterMs: 8000, silenceTimeoutMs: 30_000, ackAfterMs: 800, dtmfGapMs: 1500 };

test('silence: a nudge once, then the timeout; never while someone speaks, thinks or is on hold', () => {
  assert.deepEqual(dueTimers({ ...base, nowMs: 7999 }, t), []);
  assert.deepEqual(dueTimers({ ...base, nowMs: 8000 }, t), ['nudge']);
  assert.deepEqual(dueTimers({ ...base, nowMs: 9000, nudged: true }, t), []);
  assert.deepEqual(dueTimers({ ...base, nowMs: 30_000, nudged: true }, t), ['silence_timeout']);
  for (const busy of [
    { agentSpeaking: true },
    { callerSpeaking: true },
    { busy: true },
    { endCallRequested: true },
    { holdUntilMs: 60_000 },
  ])
    assert.deepEqual(dueTimers({ ...base, nowMs: 40_000, ...busy }, t), [], JSON.stringify(busy));
  assert.deepEqual(dueTimers({ ...base, nowMs: 40_000 }, { ...t, silenceTimeoutMs: 0, nudgeAfterMs: 0 }), []);
});

test('hold gives up at its limit; digits flush after the gap; a slow answer to the caller is acknowledged once', () => {
  assert.deepEqual(dueTimers({ ...base, nowMs: 60_000, holdUntilMs: 60_000 }, t), ['hold_timeout']);
  assert.deepEqual(
    dueTimers({ ...base, nowMs: 2000, dtmfPending: true, lastDigitMs: 600, agentSpeaking: true }, t),
    [],
  );
  assert.deepEqual(dueTimers({ ...base, nowMs: 2100, dtmfPending: true, lastDigitMs: 600, agentSpeaking: true }, t), [
    'flush_dtmf',
  ]);
  const response = { startedMs: 1000, hasText: false, acked: false, answersCaller: true };
  assert.deepEqual(dueTimers({ ...base, nowMs: 1799, hasAcknowledgement: true, response }, t), []);
  assert.deepEqual(dueTimers({ ...base, nowMs: 1800, hasAcknowledgement: true, response }, t), ['acknowledge']);
  assert.deepEqual(
    dueTimers({ ...base, nowMs: 1800, hasAcknowledgement: true, response: { ...response, acked: true } }, t),
    [],
  );
  assert.deepEqual(
    dueTimers({ ...base, nowMs: 1800, hasAcknowledgement: true, response: { ...response, answersCaller: false } }, t),
    [],
    'no filler before a nudge',
  );
  assert.deepEqual(dueTimers({ ...base, nowMs: 1800, hasAcknowledgement: false, response }, t), []);
});
