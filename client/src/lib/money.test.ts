import { amountLimits } from '@glotixz/common/events';
import {
  LISTING_CURRENCIES,
  MAX_PRICE_MINOR,
  formatMoney,
  minorDigits,
  parsePrice,
  toMajorInput,
} from './money';

describe('formatMoney', () => {
  it('formats two-decimal currencies from cents', () => {
    expect(formatMoney(2500, 'usd')).toBe('$25.00');
    expect(formatMoney(1, 'usd')).toBe('$0.01');
    expect(formatMoney(123456789, 'usd')).toBe('$1,234,567.89');
    expect(formatMoney(1500, 'eur')).toBe('€15.00');
    expect(formatMoney(999, 'GBP')).toBe('£9.99');
  });

  it('formats zero-decimal currencies without dividing', () => {
    expect(formatMoney(1500, 'jpy')).toBe('¥1,500');
    expect(formatMoney(50000, 'krw')).toBe('₩50,000');
  });

  it('formats three-decimal currencies in thousandths', () => {
    expect(formatMoney(1234, 'kwd')).toMatch(/1\.234/);
  });

  it('still shows an amount for a code Intl does not know', () => {
    expect(formatMoney(1234, 'zz1')).toBe('12.34 ZZ1');
  });
});

describe('parsePrice', () => {
  const ok = (input: string, currency = 'usd') => parsePrice(input, currency);

  it.each([
    ['25', 2500],
    ['25.5', 2550],
    ['25.50', 2550],
    ['0.50', 50],
    ['19.99', 1999],
    ['1,234.56', 123456],
    ['1,234', 123400],
    ['9,99', 999],
    [' 12 ', 1200],
    ['0012.30', 1230],
    ['999999.99', 99999999],
  ])('reads %s USD as %i cents', (input, minor) => {
    expect(ok(input)).toEqual({ ok: true, minor });
  });

  it('never goes through floating point (1.29 and 1.005-style amounts stay exact)', () => {
    expect(ok('1.29')).toEqual({ ok: true, minor: 129 });
    expect(ok('4.35')).toEqual({ ok: true, minor: 435 });
    expect(ok('1.15')).toEqual({ ok: true, minor: 115 });
  });

  it('takes whole amounts for zero-decimal currencies', () => {
    expect(ok('1500', 'jpy')).toEqual({ ok: true, minor: 1500 });
    expect(ok('1,500', 'jpy')).toEqual({ ok: true, minor: 1500 });
    expect(ok('15.5', 'jpy')).toEqual({ ok: false, message: 'JPY has no minor unit: enter a whole amount' });
  });

  it.each([
    ['', 'Enter a price'],
    ['abc', 'Enter the price as a number, like 25.00'],
    ['12.345', 'Use at most 2 decimal places for USD'],
    ['0', 'The price must be greater than zero'],
    ['0.00', 'The price must be greater than zero'],
    ['-5', 'The price must be greater than zero'],
    ['1e3', 'Enter the price as a number, like 25.00'],
    ['1000000.00', 'The price can be at most $999,999.99'],
    ['0.49', 'The price must be at least $0.50'],
    ['99999999999999', 'That price is too high'],
  ])('refuses %j: %s', (input, message) => {
    expect(ok(input)).toEqual({ ok: false, message });
  });
});

describe('minor units helpers', () => {
  it('knows the digits of each currency', () => {
    expect(minorDigits('usd')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('bhd')).toBe(3);
  });

  it('shows minor units as an editable major amount and reads it back unchanged', () => {
    for (const [minor, currency, text] of [
      [2500, 'usd', '25.00'],
      [105, 'usd', '1.05'],
      [1500, 'jpy', '1500'],
    ] as const) {
      expect(toMajorInput(minor, currency)).toBe(text);
      expect(parsePrice(text, currency)).toEqual({ ok: true, minor });
    }
  });
});

describe('listing limits', () => {
  it.each(LISTING_CURRENCIES.map((c) => [c.code, c.minMinor]))(
    "matches the tickets service's limits for %s",
    (code, minMinor) => {
      expect(amountLimits(code)).toEqual({ min: minMinor, max: MAX_PRICE_MINOR });
    },
  );

  it('refuses a price below the minimum of a zero-decimal currency', () => {
    expect(parsePrice('49', 'jpy')).toEqual({ ok: false, message: 'The price must be at least ¥50' });
    expect(parsePrice('50', 'jpy')).toEqual({ ok: true, minor: 50 });
  });
});
