import { stripeMaxAmount, wholeUnitCurrencies, type FeeSchedule } from '@glotixz/common/events';
import { sql, type SQL } from 'drizzle-orm';

/**
 * The largest total an order may have: the most Stripe charges in one payment. A ticket whose
 * price plus fee exceeds it is refused (`ORDER_TOTAL_TOO_LARGE`).
 */
export const maxOrderTotal = stripeMaxAmount;

/**
 * `platformFee(price, currency, schedule)` (from `@glotixz/common/events`) as one SQL expression
 * over the row's `price` and `currency`, so the statement that places an order fixes the fee from
 * the very price it copies (I8), with no read of the ticket before it. `numeric` arithmetic, so no
 * price overflows it; the result is `numeric` too. A test holds it equal to `platformFee`.
 */
export function platformFeeSql(price: SQL, currency: SQL, schedule: FeeSchedule): SQL {
  const json = JSON.stringify(schedule);
  const wholeUnit = sql.join(
    wholeUnitCurrencies.map((code) => sql`${code}::text`),
    sql`, `,
  );
  return sql`(
    select case when ${currency} in (${wholeUnit}) then ceil(fee.base / 100) * 100 else fee.base end
    from (
      select floor((${price}::numeric * (rate.r ->> 'percentBps')::numeric + 5000) / 10000)
             + (rate.r ->> 'fixed')::numeric as base
      from (
        select coalesce(${json}::jsonb -> 'currencies' -> ${currency}, ${json}::jsonb -> 'default') as r
      ) rate
    ) fee
  )`;
}
