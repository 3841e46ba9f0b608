/** What the call runtime reads of the store's DatabaseHealth. */
export interface DatabaseHealthView {
  readonly isUp: boolean;
  readonly lastRecoveredAtMs: number | undefined;
}

/**
 * Whether the orphan-recovery pass should wait: while the database is down, and for `graceMs`
 * after it came back. During an outage no server could heartbeat its calls, so a stale
 * heartbeat then is not evidence that its owner died; once every live owner has had a full
 * staleness window to heartbeat again, recovery resumes.
 */
export function recoveryPaused(health: DatabaseHealthView, nowMs: number, graceMs: number): boolean {
  if (!health.isUp) return true;
  const recoveredAt = health.lastRecoveredAtMs;
  return recoveredAt !== undefined && nowMs - recoveredAt < graceMs;
}
