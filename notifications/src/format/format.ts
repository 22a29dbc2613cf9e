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

/**
 * An instant as a person reads it, in `timeZone` (UTC by default), naming the zone:
 * `Wednesday, 2 December 2026 at 14:45 UTC`. An unknown zone falls back to UTC.
 */
export function formatInstant(iso: string, timeZone = 'UTC'): string {
  const date = new Date(iso);
  const options: Intl.DateTimeFormatOptions = {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(date);
  }
}
