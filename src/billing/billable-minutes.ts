/** A billed minute. */
export const MINUTE_MS = 60_000;

/** Rounded-up minutes of talk time; an answered call costs at least one minute. */
export function billableMinutes(talkMs: number): number {
  if (talkMs <= 0) return 1;
  return Math.ceil(talkMs / MINUTE_MS);
}
