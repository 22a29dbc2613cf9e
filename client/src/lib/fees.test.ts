import { feeScheduleSchema } from '@glotixz/common/events';
import { breakdownOf, priceBreakdown, type FeeSchedule } from './fees';

const schedule: FeeSchedule = feeScheduleSchema.parse({
  default: { percentBps: 1000, fixed: 0 },
  currencies: { usd: { percentBps: 1000, fixed: 99 } },
});

describe('priceBreakdown()', () => {
  it('shows the price, the fee and the total a buyer pays', () => {
    expect(priceBreakdown(2_500, 'usd', schedule)).toEqual({
      price: '$25.00',
      fee: '$3.49',
      total: '$28.49',
      line: '$25.00 + $3.49 fee = $28.49',
    });
  });

  it('uses the default rate for a currency without its own, in whole yen for jpy', () => {
    expect(priceBreakdown(1_500, 'jpy', schedule).line).toBe('¥1,500 + ¥150 fee = ¥1,650');
    expect(priceBreakdown(1_000, 'eur', schedule).total).toBe('€11.00');
  });

  it('shows only the price when there is no fee', () => {
    expect(priceBreakdown(2_500, 'usd', { default: { percentBps: 0, fixed: 0 } }).line).toBe('$25.00');
  });
});

describe('breakdownOf()', () => {
  it("shows an order's own fee and total, not a recomputed one", () => {
    expect(breakdownOf({ price: 2_500, fee: 0, total: 2_500 }, 'usd').line).toBe('$25.00');
    expect(breakdownOf({ price: 2_500, fee: 100, total: 2_600 }, 'usd')).toMatchObject({
      fee: '$1.00',
      total: '$26.00',
    });
  });
});
