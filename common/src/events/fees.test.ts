import { stripeMaxAmount } from './money';
import { feeScheduleSchema, orderAmounts, platformFee, type FeeSchedule } from './fees';

/** The schedule orders runs with unless configured otherwise. */
const usual: FeeSchedule = {
  default: { percentBps: 1000, fixed: 0 },
  currencies: {
    usd: { percentBps: 1000, fixed: 99 },
    eur: { percentBps: 1000, fixed: 99 },
    gbp: { percentBps: 1000, fixed: 79 },
  },
};

describe('platformFee()', () => {
  it('takes the percentage rounded half up, then adds the fixed part', () => {
    // 10 % of 2500 is 250; + 99.
    expect(platformFee(2_500, 'usd', usual)).toBe(349);
    // 10 % of 2505 is 250.5: half rounds up.
    expect(platformFee(2_505, 'usd', usual)).toBe(251 + 99);
    // 10 % of 2504 is 250.4: down.
    expect(platformFee(2_504, 'usd', usual)).toBe(250 + 99);
    // 2.5 % of 30 is 0.75: up to 1.
    expect(platformFee(30, 'cad', { default: { percentBps: 250, fixed: 0 } })).toBe(1);
    // 2.5 % of 20 is exactly 0.5: up to 1; of 19, 0.475: down to 0.
    expect(platformFee(20, 'cad', { default: { percentBps: 250, fixed: 0 } })).toBe(1);
    expect(platformFee(19, 'cad', { default: { percentBps: 250, fixed: 0 } })).toBe(0);
  });

  it('uses a currency its own rate and every other currency the default', () => {
    expect(platformFee(1_000, 'gbp', usual)).toBe(100 + 79);
    expect(platformFee(1_000, 'aud', usual)).toBe(100);
    const schedule: FeeSchedule = {
      default: { percentBps: 500, fixed: 30 },
      currencies: { sek: { percentBps: 0, fixed: 0 } },
    };
    expect(platformFee(1_000, 'sek', schedule)).toBe(0);
    expect(platformFee(1_000, 'nok', schedule)).toBe(80);
  });

  it('charges only the fixed part with a zero percentage, and only the percentage with a zero fixed part', () => {
    const fixedOnly: FeeSchedule = { default: { percentBps: 0, fixed: 150 } };
    expect(platformFee(0, 'usd', fixedOnly)).toBe(150);
    expect(platformFee(12_345, 'usd', fixedOnly)).toBe(150);
    const percentOnly: FeeSchedule = { default: { percentBps: 1500, fixed: 0 } };
    expect(platformFee(0, 'usd', percentOnly)).toBe(0);
    expect(platformFee(12_345, 'usd', percentOnly)).toBe(1_852);
  });

  it('keeps a zero-decimal currency in whole yen', () => {
    // 10 % of ¥1,234 is ¥123.4: ¥123, no fixed part for jpy in the usual schedule.
    expect(platformFee(1_234, 'jpy', usual)).toBe(123);
    expect(platformFee(1_235, 'jpy', usual)).toBe(124);
    expect(
      platformFee(1_000, 'jpy', {
        default: { percentBps: 1000, fixed: 0 },
        currencies: { jpy: { percentBps: 500, fixed: 30 } },
      }),
    ).toBe(80);
  });

  it('rounds a fee in a whole-unit currency up to whole forints', () => {
    // 10 % of 175.00 Ft is 17.50 Ft: up to 18 Ft.
    expect(platformFee(17_500, 'huf', usual)).toBe(1_800);
    // 10 % of 200.00 Ft is exactly 20 Ft: already whole.
    expect(platformFee(20_000, 'huf', usual)).toBe(2_000);
    // 10 % of 200.01 Ft is 20.001 Ft (rounds to 2000 minor units): stays 20 Ft.
    expect(platformFee(20_001, 'huf', usual)).toBe(2_000);
    // 10 % of 200.05 Ft is 20.005 Ft (2001 minor units after half up): up to 21 Ft.
    expect(platformFee(20_005, 'huf', usual)).toBe(2_100);
    expect(platformFee(50_000, 'twd', { default: { percentBps: 0, fixed: 1 } })).toBe(100);
    expect(platformFee(0, 'huf', usual)).toBe(0);
  });

  it('is exact for prices near Stripe’s maximum and far beyond it', () => {
    expect(platformFee(stripeMaxAmount, 'usd', usual)).toBe(10_000_000 + 99);
    expect(platformFee(90_909_000, 'usd', { default: { percentBps: 1000, fixed: 0 } })).toBe(9_090_900);
    // 9,007,199,254,740,991 × 10000 overflows a double; the arithmetic stays exact.
    expect(platformFee(Number.MAX_SAFE_INTEGER, 'aud', { default: { percentBps: 1, fixed: 0 } })).toBe(
      900_719_925_474,
    );
    expect(platformFee(Number.MAX_SAFE_INTEGER, 'aud', { default: { percentBps: 10_000, fixed: 0 } })).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it('refuses a price that is not a non-negative safe integer', () => {
    expect(() => platformFee(-1, 'usd', usual)).toThrow(RangeError);
    expect(() => platformFee(1.5, 'usd', usual)).toThrow(RangeError);
    expect(() => platformFee(Number.NaN, 'usd', usual)).toThrow(RangeError);
  });
});

describe('orderAmounts()', () => {
  it('answers the price, the fee and their sum', () => {
    expect(orderAmounts(2_500, 'usd', usual)).toEqual({ price: 2_500, fee: 349, total: 2_849 });
    expect(orderAmounts(1_234, 'jpy', usual)).toEqual({ price: 1_234, fee: 123, total: 1_357 });
    expect(orderAmounts(17_500, 'huf', usual)).toEqual({ price: 17_500, fee: 1_800, total: 19_300 });
  });

  it('can answer a total above Stripe’s maximum, for the caller to refuse', () => {
    expect(orderAmounts(stripeMaxAmount, 'usd', usual).total).toBeGreaterThan(stripeMaxAmount);
    expect(orderAmounts(90_908_999, 'usd', { default: { percentBps: 1000, fixed: 0 } }).total).toBe(
      99_999_899,
    );
  });
});

describe('feeScheduleSchema', () => {
  it('accepts the usual schedule and one with only a default', () => {
    expect(feeScheduleSchema.parse(usual)).toEqual(usual);
    expect(feeScheduleSchema.parse({ default: { percentBps: 0, fixed: 0 } })).toEqual({
      default: { percentBps: 0, fixed: 0 },
    });
  });

  it('rejects a percentage outside 0–10000 bps, a negative or fractional fixed part and an uppercase currency', () => {
    expect(feeScheduleSchema.safeParse({ default: { percentBps: 10_001, fixed: 0 } }).success).toBe(false);
    expect(feeScheduleSchema.safeParse({ default: { percentBps: -1, fixed: 0 } }).success).toBe(false);
    expect(feeScheduleSchema.safeParse({ default: { percentBps: 1000, fixed: -1 } }).success).toBe(false);
    expect(feeScheduleSchema.safeParse({ default: { percentBps: 1000, fixed: 0.5 } }).success).toBe(false);
    expect(
      feeScheduleSchema.safeParse({
        default: { percentBps: 100, fixed: 0 },
        currencies: { USD: { percentBps: 1, fixed: 0 } },
      }).success,
    ).toBe(false);
    expect(feeScheduleSchema.safeParse({ currencies: {} }).success).toBe(false);
  });
});
