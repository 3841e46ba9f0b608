import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { outcomeForStatus } from './call-outcome';

// Every status row of docs/telephony-outcomes.md (timer/ring-timeout/cancel rows are covered by the sipp tests).
const TABLE: Array<[number, string]> = [
  [486, 'busy'],
  [600, 'busy'],
  [480, 'no_answer'],
  [408, 'no_answer'],
  [404, 'invalid_number'],
  [484, 'invalid_number'],
  [604, 'invalid_number'],
  [401, 'auth_failed'],
  [407, 'auth_failed'],
  [403, 'forbidden'],
  [500, 'provider_error'],
  [502, 'provider_error'],
  [503, 'provider_error'],
  [504, 'provider_error'],
  [603, 'rejected'],
  [487, 'canceled'],
  [488, 'provider_error'],
  [400, 'provider_error'],
];

describe('final response → call outcome', () => {
  for (const [status, outcome] of TABLE) {
    it(`${status} → ${outcome}`, () => assert.equal(outcomeForStatus(status), outcome));
  }
});
