/**
 * The platform fee's arithmetic, with no dependencies so a browser bundle can carry it
 * (`@glotixz/common/fees`). `@glotixz/common/events` exports the same functions with the schema
 * that validates a schedule.
 */

/** One currency's platform fee: a percentage of the price plus a fixed amount. */
export interface FeeRate {
  /** Basis points of the price, 0–10000: 1000 is 10 %. */
  percentBps: number;
  /** Minor units of the currency the rate applies to, added after the percentage. */
  fixed: number;
}

/**
 * The platform fee schedule: `default` applies to every currency without an entry of its own in
 * `currencies` (lowercase ISO 4217 keys). `default.fixed` is in minor units of whichever currency
 * it meets, so it is usually 0 and currencies that want a fixed part name it themselves.
 */
export interface FeeSchedule {
  default: FeeRate;
  currencies?: Record<string, FeeRate>;
}

/**
 * Currencies Stripe pays out only in whole major units although they have two decimals: a fee in
 * them is rounded up to a multiple of 100 minor units, so the seller's payout (the price) and the
 * platform's share stay payable.
 */
export const wholeUnitCurrencies: readonly string[] = ['huf', 'isk', 'twd', 'ugx'];

/** The rate `schedule` applies to `currency`: its own entry, else the default. */
export function feeRate(currency: string, schedule: FeeSchedule): FeeRate {
  const own =
    schedule.currencies && Object.hasOwn(schedule.currencies, currency)
      ? schedule.currencies[currency]
      : undefined;
  return own ?? schedule.default;
}

/**
 * The platform fee the buyer pays on top of `price` (minor units of `currency`), in minor units:
 * `price × percentBps / 10000` rounded half up, plus the rate's fixed part; in a
 * {@link wholeUnitCurrencies whole-unit currency}, rounded up to a multiple of 100. Zero-decimal
 * currencies (`jpy`, `krw`) need nothing more: their minor unit is already whole.
 *
 * Integer arithmetic only, exact for every price up to `Number.MAX_SAFE_INTEGER`.
 */
export function platformFee(price: number, currency: string, schedule: FeeSchedule): number {
  if (!Number.isSafeInteger(price) || price < 0) {
    throw new RangeError(`price must be a non-negative integer in minor units, got ${price}`);
  }
  const { percentBps, fixed } = feeRate(currency, schedule);
  const percent = (BigInt(price) * BigInt(percentBps) + 5_000n) / 10_000n;
  let fee = percent + BigInt(fixed);
  if (wholeUnitCurrencies.includes(currency)) fee = ((fee + 99n) / 100n) * 100n;
  return Number(fee);
}

/** What a buyer pays for a ticket at `price`: the price (the seller's), the platform fee and their sum. */
export interface OrderAmounts {
  price: number;
  fee: number;
  total: number;
}

/** The price, the platform fee and the total a buyer pays, in minor units of `currency`. */
export function orderAmounts(price: number, currency: string, schedule: FeeSchedule): OrderAmounts {
  const fee = platformFee(price, currency, schedule);
  return { price, fee, total: price + fee };
}
