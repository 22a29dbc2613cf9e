/** Bounds of an exponential backoff. */
export interface BackoffOptions {
  /** Delay after the first failure. */
  baseMs: number;
  /** Largest delay. */
  capMs: number;
}

/** The delay before retry number `attempt` (1-based): `baseMs * 2^(attempt-1)`, capped at `capMs`. */
export function backoffDelay(attempt: number, { baseMs, capMs }: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(capMs, baseMs * 2 ** exponent);
}
