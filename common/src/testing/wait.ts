type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` every 20 ms until it returns something truthy, and returns that; fails with a
 * message naming `what` after `timeoutMs`. For asserting on eventual outcomes (rows, events).
 */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
