/** The typed end of a call leg; the call layer stores it as the call's end_reason. */
export type CallOutcome =
  | 'completed'
  | 'busy'
  | 'no_answer'
  | 'invalid_number'
  | 'auth_failed'
  | 'forbidden'
  | 'provider_error'
  | 'rejected'
  | 'canceled';

/**
 * Maps a final failure response of an outbound INVITE to an outcome (docs/telephony-outcomes.md).
 * A 401/407 only reaches this point when we have no credentials or already answered one challenge.
 */
export function outcomeForStatus(status: number): CallOutcome {
  if (status === 486 || status === 600) return 'busy';
  if (status === 480 || status === 408) return 'no_answer';
  if (status === 404 || status === 484 || status === 604) return 'invalid_number';
  if (status === 401 || status === 407) return 'auth_failed';
  if (status === 403) return 'forbidden';
  if (status === 603) return 'rejected';
  if (status === 487) return 'canceled';
  if (status >= 500) return 'provider_error';
  return 'provider_error';
}
