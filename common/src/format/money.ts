/**
 * How money is written for people. Money in Glotixz is an integer of minor units plus a lower-case ISO 4217
 * currency, as Stripe writes it; nothing here goes through a floating-point amount but the last
 * division for display.
 */

/** Currencies Stripe charges in whole units (no minor unit): ¥500 is `500`. */
const zeroDecimal = new Set('bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '));

/** Currencies Stripe charges in thousandths. */
const threeDecimal = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** How many digits the minor unit of `currency` has, in any case: 0 for JPY, 2 for USD, 3 for KWD. */
export function minorDigits(currency: string): number {
  const code = currency.toLowerCase();
  if (zeroDecimal.has(code)) return 0;
  if (threeDecimal.has(code)) return 3;
  return 2;
}

/**
 * `2500, 'usd'` → `$25.00`; `1500, 'jpy'` → `¥1,500`; `1234, 'kwd'` → `KWD 1.234`. A code `Intl`
 * does not know is still written honestly: `25.00 XYZ`.
 */
export function formatMoney(minor: number, currency: string, locale = 'en-US'): string {
  const digits = minorDigits(currency);
  const code = currency.toUpperCase();
  const major = minor / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: code,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(major);
  } catch {
    // Intl throws a RangeError for a code it does not know.
    return `${major.toFixed(digits)} ${code}`;
  }
}
