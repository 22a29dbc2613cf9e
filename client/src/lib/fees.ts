/**
 * The platform fee as buyers and sellers see it: the buyer pays price + fee = total, the seller
 * receives the price. The arithmetic is `@glotixz/common`'s, the same the orders service fixes an
 * order's fee with; the schedule comes from `GET /api/orders/fees` (see `fee-schedule.ts`), and an
 * order shows its own fee, never a recomputed one.
 */
import { orderAmounts, type FeeSchedule, type OrderAmounts } from '@glotixz/common/fees';
import { formatMoney, MAX_PRICE_MINOR, parsePrice } from './money';

export { orderAmounts };
export type { FeeSchedule, OrderAmounts };

/** An amount split into what the seller gets and what the platform adds, as text. */
export interface PriceBreakdown {
  price: string;
  fee: string;
  total: string;
  /** `$25.00 + $3.49 fee = $28.49`, or just the price when the fee is 0. */
  line: string;
}

/** The price, fee and total of `amounts` in `currency` as text. */
export function breakdownOf(amounts: OrderAmounts, currency: string): PriceBreakdown {
  const price = formatMoney(amounts.price, currency);
  const fee = formatMoney(amounts.fee, currency);
  const total = formatMoney(amounts.total, currency);
  return { price, fee, total, line: amounts.fee === 0 ? price : `${price} + ${fee} fee = ${total}` };
}

/** What a buyer pays for a ticket at `price` under `schedule`, as text. */
export function priceBreakdown(price: number, currency: string, schedule: FeeSchedule): PriceBreakdown {
  return breakdownOf(orderAmounts(price, currency, schedule), currency);
}

/**
 * What a seller is told while typing a price (`price` as typed, in major units): what buyers pay
 * under `schedule` and what the seller receives. Without a schedule (it could not be read) it
 * names only what the seller receives; before a valid price, how the fee works.
 */
export function payoutLine(price: string, currency: string, schedule: FeeSchedule | null): string {
  const parsed = parsePrice(price, currency);
  if (!parsed.ok) return 'You receive the price you set; buyers pay it plus a platform fee.';
  if (!schedule) {
    return `Buyers pay your price plus a platform fee; you receive ${formatMoney(parsed.minor, currency)}.`;
  }
  const amounts = orderAmounts(parsed.minor, currency, schedule);
  const shown = breakdownOf(amounts, currency);
  return amounts.total > MAX_PRICE_MINOR
    ? `With the ${shown.fee} fee buyers would pay ${shown.total}, more than one payment can be (${formatMoney(MAX_PRICE_MINOR, currency)}): lower the price.`
    : `Buyers pay ${shown.total} (${shown.price} + ${shown.fee} fee); you receive ${shown.price}.`;
}
