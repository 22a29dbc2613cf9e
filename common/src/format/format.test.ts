import { formatInstant, formatMoney, minorDigits } from '.';

/** Intl separates a code or symbol with a no-break space. */
const spaced = (text: string) => text.replace(/\u00a0/g, ' ');

describe('minorDigits', () => {
  it('knows zero-, two- and three-decimal currencies in any case', () => {
    expect([minorDigits('jpy'), minorDigits('KRW'), minorDigits('usd'), minorDigits('KWD')]).toEqual([
      0, 0, 2, 3,
    ]);
  });
});

describe('formatMoney', () => {
  it('writes minor units in the currency’s own digits', () => {
    expect(formatMoney(2500, 'usd')).toBe('$25.00');
    expect(formatMoney(1500, 'jpy')).toBe('¥1,500');
    expect(spaced(formatMoney(1234, 'kwd'))).toBe('KWD 1.234');
    expect(formatMoney(199, 'EUR')).toBe('€1.99');
  });

  it('follows the locale it is given', () => {
    expect(spaced(formatMoney(123456, 'eur', 'de-DE'))).toBe('1.234,56 €');
  });

  it('still writes an honest amount for a code Intl does not know', () => {
    expect(formatMoney(2500, 'zzzz')).toBe('25.00 ZZZZ');
  });
});

describe('formatInstant', () => {
  it('writes an instant in the zone it is given, and in UTC for a zone it does not know', () => {
    expect(formatInstant('2027-07-14T18:30:00.000Z', 'Europe/Berlin')).toBe(
      'Wednesday, 14 July 2027 at 20:30 CEST',
    );
    expect(formatInstant('2027-07-14T18:30:00.000Z', 'Mars/Olympus')).toBe(
      'Wednesday, 14 July 2027 at 18:30 UTC',
    );
    expect(formatInstant('2027-01-05T10:15:00.000Z')).toBe('Tuesday, 5 January 2027 at 10:15 UTC');
  });
});
