/**
 * Polls until `probe` gives a value other than undefined (a throwing probe counts as "not yet") and
 * returns it; fails with `what` after `timeoutMs`. For conditions that are met by another process or
 * a server's timers, where nothing can be awaited directly.
 */
export async function untilValue<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
  pollMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Polls until `check` holds (sync or async; a throwing check counts as false). */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  pollMs = 25,
): Promise<void> {
  await untilValue(what, async () => ((await check()) ? true : undefined), timeoutMs, pollMs);
}
