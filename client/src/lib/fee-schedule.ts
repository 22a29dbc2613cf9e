import { feeScheduleSchema, type FeeSchedule } from '@glotixz/common/events';
import { cache } from 'react';
import { serverConfig } from './config';

/** How long a fetched schedule is reused; the orders service answers it with the same max-age. */
const REVALIDATE_SECONDS = 60;
const TIMEOUT_MS = 5_000;

/**
 * The platform fee schedule new orders are placed with (`GET /api/orders/fees`), read on the
 * server and kept for a minute; null when orders cannot be reached or answers something else, so
 * a page says the fee is shown at checkout rather than showing a wrong one.
 */
export const feeSchedule = cache(async (): Promise<FeeSchedule | null> => {
  try {
    const res = await fetch(new URL('/api/orders/fees', serverConfig().apiUrl), {
      headers: { accept: 'application/json' },
      next: { revalidate: REVALIDATE_SECONDS },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) return null;
    const body = (await res.json()) as { schedule?: unknown };
    const parsed = feeScheduleSchema.safeParse(body.schedule);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
});
