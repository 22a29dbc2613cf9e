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

/** Formatters by locale and currency, made once each: making one costs far more than using it. */
const moneyFormats = new Map<string, Intl.NumberFormat | null>();

function moneyFormat(locale: string, code: string, digits: number): Intl.NumberFormat | null {
  const key = `${locale} ${code}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency: code,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
    } catch {
      // Intl throws a RangeError for a code it does not know.
      format = null;
    }
    // Codes are three letters: at most a few thousand entries, however odd the input.
    if (/^[A-Z]{3}$/.test(code)) moneyFormats.set(key, format);
  }
  return format;
}

/**
 * `2500, 'usd'` → `$25.00`; `1500, 'jpy'` → `¥1,500`; `1234, 'kwd'` → `KWD 1.234`. A code `Intl`
 * does not know is still written honestly: `25.00 XYZ`.
 */
export function formatMoney(minor: number, currency: string, locale = 'en-US'): string {
  const digits = minorDigits(currency);
  const code = currency.toUpperCase();
  const major = minor / 10 ** digits;
  return moneyFormat(locale, code, digits)?.format(major) ?? `${major.toFixed(digits)} ${code}`;
}
