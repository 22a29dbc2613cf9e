/**
 * How emails write money and time. Money is an integer of minor units and a lower-case ISO 4217
 * currency (as Stripe writes it); times are ISO 8601 UTC instants.
 */

/** Currencies Stripe charges in whole units, and those it charges in thousandths. */
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

function minorDigits(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

/** `2500, 'usd'` → `$25.00`; `1500, 'jpy'` → `¥1,500`. */
export function formatMoney(minor: number, currency: string): string {
  const code = currency.toLowerCase();
  const digits = minorDigits(code);
  const major = minor / 10 ** digits;
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: code.toUpperCase(),
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(major);
  } catch {
    return `${major.toFixed(digits)} ${code.toUpperCase()}`;
  }
}

/** Instants in UTC or the venue's zone, worded as on the e-ticket. */
export { formatInstant } from '@glotixz/common/etickets';
