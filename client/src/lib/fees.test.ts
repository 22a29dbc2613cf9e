import { feeScheduleSchema } from '@glotixz/common/events';
import { breakdownOf, payoutLine, priceBreakdown, type FeeSchedule } from './fees';

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

describe('payoutLine()', () => {
  it('says what buyers pay and what the seller receives for the price typed', () => {
    expect(payoutLine('25', 'usd', schedule)).toBe(
      'Buyers pay $28.49 ($25.00 + $3.49 fee); you receive $25.00.',
    );
    expect(payoutLine('1500', 'jpy', schedule)).toBe(
      'Buyers pay ¥1,650 (¥1,500 + ¥150 fee); you receive ¥1,500.',
    );
  });

  it('names only what the seller receives when the schedule could not be read', () => {
    expect(payoutLine('25.50', 'eur', null)).toBe(
      'Buyers pay your price plus a platform fee; you receive €25.50.',
    );
  });

  it('explains the fee until the price is valid', () => {
    for (const typed of ['', 'abc', '25.505']) {
      expect(payoutLine(typed, 'usd', schedule)).toBe(
        'You receive the price you set; buyers pay it plus a platform fee.',
      );
    }
  });

  it('asks for a lower price when price and fee together exceed one payment', () => {
    expect(payoutLine('999999.99', 'usd', schedule)).toBe(
      'With the $100,000.99 fee buyers would pay $1,100,000.98, more than one payment can be ($999,999.99): lower the price.',
    );
  });
});
