import { z } from 'zod';
import type { FeeRate, FeeSchedule } from '../fees';

export * from '../fees';

/** One currency's platform fee (see {@link FeeRate}). */
export const feeRateSchema = z
  .object({
    /** Basis points of the price: 1000 is 10 %. */
    percentBps: z.number().int().min(0).max(10_000),
    /** Minor units of the currency the rate applies to, added after the percentage. */
    fixed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  })
  .strict() satisfies z.ZodType<FeeRate>;

/**
 * The platform fee schedule (see {@link FeeSchedule}), as orders reads it from `PLATFORM_FEE` and
 * answers it on `GET /api/orders/fees`.
 */
export const feeScheduleSchema = z
  .object({
    default: feeRateSchema,
    currencies: z
      .record(z.string().regex(/^[a-z]{3}$/, 'expected a lowercase ISO 4217 code'), feeRateSchema)
      .optional(),
  })
  .strict() satisfies z.ZodType<FeeSchedule>;
