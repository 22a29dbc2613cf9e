/**
 * The time payouts are decided by: when a sale's transfer is due (`transfer_at`), whether it is
 * due now, and when a claimed or failed transfer may be tried again (`next_attempt_at`). Every
 * such decision takes `now()` from one clock and hands it to SQL as a bound parameter, never the
 * database's own `now()`, so that moving the clock moves all of them together.
 */
export interface Clock {
  now(): Date;
}

/** Real time. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * Real time shifted by `offsetSeconds` (`CLOCK_OFFSET_SECONDS`): system tests and staging move a
 * sale past its event and hold without waiting for it. Zero is real time.
 */
export function offsetClock(offsetSeconds: number): Clock {
  if (offsetSeconds === 0) return systemClock;
  const offsetMs = offsetSeconds * 1000;
  return { now: () => new Date(Date.now() + offsetMs) };
}
