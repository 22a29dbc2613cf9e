/**
 * Money in Glotixz is an integer of minor units plus a lower-case ISO 4217 currency, as Stripe
 * writes it. These helpers turn it into text and turn what a seller types into minor units,
 * without ever going through a floating-point amount. Writing an amount is common's, the same
 * in every email and page.
 */
import { formatMoney, minorDigits } from '@glotixz/common/format';

export { formatMoney, minorDigits };

/**
 * The currencies a seller can pick when listing a ticket, each with Stripe's smallest charge in it
 * (minor units). The tickets service checks the same limits from `@glotixz/common`'s table, which
 * decides; a unit test keeps these equal to it.
 */
export const LISTING_CURRENCIES = [
  { code: 'usd', label: 'USD — US dollar', minMinor: 50 },
  { code: 'eur', label: 'EUR — Euro', minMinor: 50 },
  { code: 'gbp', label: 'GBP — British pound', minMinor: 30 },
  { code: 'cad', label: 'CAD — Canadian dollar', minMinor: 50 },
  { code: 'aud', label: 'AUD — Australian dollar', minMinor: 50 },
  { code: 'chf', label: 'CHF — Swiss franc', minMinor: 50 },
  { code: 'jpy', label: 'JPY — Japanese yen', minMinor: 50 },
] as const;

/** Largest price the tickets service accepts, in minor units: the most Stripe charges at once. */
export const MAX_PRICE_MINOR = 99_999_999;

/** Stripe's smallest charge in `currency`, in minor units, when the client knows it. */
function minPriceMinor(currency: string): number | undefined {
  const code = currency.toLowerCase();
  return LISTING_CURRENCIES.find((c) => c.code === code)?.minMinor;
}

/** The amount in major units as an input shows it: `2500, 'usd'` → `25.00`. */
export function toMajorInput(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === 0) return String(minor);
  const text = String(minor).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** What {@link parsePrice} answers. */
export type ParsedPrice = { ok: true; minor: number } | { ok: false; message: string };

/**
 * Reads a price typed in major units into integer minor units, exactly: `"25"` → 2500,
 * `"12.5"` → 1250, `"1,234.56"` and `"1,234"` → 123456 and 123400, `"9,99"` (decimal comma) → 999, `"1500"` in JPY →
 * 1500. Too many decimals for the currency, zero, negative and out-of-range amounts (below Stripe's
 * minimum charge in the currency, above its maximum) are refused
 * with a message for the price field.
 */
export function parsePrice(input: string, currency: string): ParsedPrice {
  const digits = minorDigits(currency);
  const code = currency.toUpperCase();
  const text = input.replace(/[\s\u00a0]/g, '');
  if (text === '') return { ok: false, message: 'Enter a price' };

  let whole: string;
  let fraction: string;
  const grouped = /^(\d{1,3}(?:,\d{3})+)(?:\.(\d+))?$/.exec(text);
  const plain = /^(\d+)(?:[.,](\d+))?$/.exec(text);
  if (grouped?.[1]) {
    // 1,234.56 or 1,234,567: commas group thousands.
    whole = grouped[1].replace(/,/g, '');
    fraction = grouped[2] ?? '';
  } else if (plain?.[1]) {
    whole = plain[1];
    fraction = plain[2] ?? '';
  } else if (/^-/.test(text)) {
    return { ok: false, message: 'The price must be greater than zero' };
  } else {
    return { ok: false, message: `Enter the price as a number, like ${digits === 0 ? '1500' : '25.00'}` };
  }

  if (fraction.length > digits) {
    return {
      ok: false,
      message:
        digits === 0
          ? `${code} has no minor unit: enter a whole amount`
          : `Use at most ${digits} decimal places for ${code}`,
    };
  }
  const minorText = (whole + fraction.padEnd(digits, '0')).replace(/^0+(?=\d)/, '');
  if (minorText.length > 12) return { ok: false, message: 'That price is too high' };
  const minor = Number(minorText);
  if (minor <= 0) return { ok: false, message: 'The price must be greater than zero' };
  const min = minPriceMinor(currency);
  if (min !== undefined && minor < min) {
    return { ok: false, message: `The price must be at least ${formatMoney(min, currency)}` };
  }
  if (minor > MAX_PRICE_MINOR) {
    return { ok: false, message: `The price can be at most ${formatMoney(MAX_PRICE_MINOR, currency)}` };
  }
  return { ok: true, minor };
}
