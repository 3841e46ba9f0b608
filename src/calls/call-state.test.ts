import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CALL_PHASES, endReasonForOutcome, nextPhase, phasesAllowing, toWireStatus } from './call-state';
import { billableMinutes, callCharge, productTier } from './call-charge';

describe('call lifecycle', () => {
  test('a normal outbound call walks queued → dialing → ringing → answered → ending → ended', () => {
    assert.equal(nextPhase('queued', 'admit'), 'dialing');
    assert.equal(nextPhase('dialing', 'ringing'), 'ringing');
    assert.equal(nextPhase('ringing', 'answered'), 'answered');
    assert.equal(nextPhase('answered', 'end'), 'ending');
    assert.equal(nextPhase('ending', 'finished'), 'ended');
  });

  test('an ended call cannot be answered, ended again or re-dialed', () => {
    for (const t of ['admit', 'ringing', 'answered', 'end', 'finished'] as const)
      assert.equal(nextPhase('ended', t), undefined);
    assert.equal(nextPhase('ending', 'answered'), undefined);
    assert.equal(nextPhase('answered', 'ringing'), undefined);
  });

  test('every phase except ended can start ending', () => {
    assert.deepEqual(phasesAllowing('end').sort(), CALL_PHASES.filter((p) => p !== 'ended' && p !== 'ending').sort());
  });

  test('wire status: in_progress until ended; completed only when answered', () => {
    for (const p of CALL_PHASES.filter((x) => x !== 'ended')) assert.equal(toWireStatus(p, true), 'in_progress');
    assert.equal(toWireStatus('ended', true), 'completed');
    assert.equal(toWireStatus('ended', false), 'failed');
  });

  test('telephony outcomes map to the documented end reasons', () => {
    assert.equal(endReasonForOutcome('busy', false), 'busy');
    assert.equal(endReasonForOutcome('no_answer', false), 'no_answer');
    assert.equal(endReasonForOutcome('auth_failed', false), 'auth_failed');
    assert.equal(endReasonForOutcome('canceled', false), 'no_answer');
    assert.equal(endReasonForOutcome('completed', true), 'caller_hangup');
    assert.equal(endReasonForOutcome('provider_error', true), 'provider_error');
  });
});

describe('call charge', () => {
  const rates = { spark: 2, bolt: 5, storm: 9 };
  test('54 s on spark is one minute, 61 s on bolt two, storm-* bills as storm', () => {
    assert.deepEqual(callCharge(true, 54_000, 'spark', rates), { billableMinutes: 1, totalCents: 2 });
    assert.deepEqual(callCharge(true, 61_000, 'bolt', rates), { billableMinutes: 2, totalCents: 10 });
    assert.deepEqual(callCharge(true, 120_000, 'storm-extra', rates), { billableMinutes: 2, totalCents: 18 });
    assert.equal(productTier('storm-base'), 'storm');
    assert.equal(productTier(null), 'spark');
  });
  test('a call that never connected costs nothing', () => {
    assert.deepEqual(callCharge(false, 90_000, 'storm', rates), { billableMinutes: 0, totalCents: 0 });
  });
  test('an answered call is at least one minute', () => {
    assert.equal(billableMinutes(0), 1);
    assert.equal(billableMinutes(60_000), 1);
    assert.equal(billableMinutes(60_001), 2);
  });
});
