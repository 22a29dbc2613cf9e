import { currencyInputSchema } from './currency';

describe('currency input', () => {
  it.each([
    ['usd', 'usd'],
    ['USD', 'usd'],
    ['Eur', 'eur'],
    [' jpy ', 'jpy'],
  ])('accepts %j as %s', (input, expected) => {
    expect(currencyInputSchema.parse(input)).toBe(expected);
  });

  it.each(['', 'us', 'usdd', 'u$d', 'zzz', 'abc', 'cny'])('rejects %j', (input) => {
    expect(currencyInputSchema.safeParse(input).success).toBe(false);
  });
});
