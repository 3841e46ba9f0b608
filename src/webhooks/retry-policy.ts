/**
 * When a failed non-blocking delivery is tried again: exponential backoff from 5 s, doubling,
 * capped at 1 h between attempts, with jitter (each delay is drawn from [50 %, 100 %] of its
 * step), for up to 24 h after the event. The last try happens at the 24 h mark; a failure then
 * gives the delivery up and turns the endpoint `failing`.
 */
export const RETRY_BASE_MS = 5_000;
export const RETRY_MAX_DELAY_MS = 60 * 60_000;
export const RETRY_WINDOW_MS = 24 * 60 * 60_000;

/** Delay after the `attempt`-th failed try (1-based). `random` in [0, 1). */
export function backoffDelayMs(attempt: number, random: number): number {
  const step = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(step * (0.5 + 0.5 * random));
}

export type RetryDecision = { kind: 'retry'; atMs: number } | { kind: 'give_up' };

/** Decides after a failure at `nowMs` for a delivery created at `createdMs`. */
export function nextRetry(createdMs: number, nowMs: number, attempt: number, random: number): RetryDecision {
  const windowEndMs = createdMs + RETRY_WINDOW_MS;
  if (nowMs >= windowEndMs) return { kind: 'give_up' };
  return { kind: 'retry', atMs: Math.min(windowEndMs, nowMs + backoffDelayMs(attempt, random)) };
}
