/**
 * The card form used when the payments service has no Stripe publishable key (the local
 * sandbox): card data never leaves the page. A Stripe test card number is turned into the test
 * PaymentMethod Stripe documents for it, and that id goes through the ordinary payments API.
 * Any other number is refused here.
 */
const TEST_CARDS: Readonly<Record<string, { paymentMethodId: string; label: string }>> = {
  '4242424242424242': { paymentMethodId: 'pm_card_visa', label: 'Visa (succeeds)' },
  '4000000000000002': { paymentMethodId: 'pm_card_chargeDeclined', label: 'Visa (declined)' },
  '4000000000009995': {
    paymentMethodId: 'pm_card_chargeDeclinedInsufficientFunds',
    label: 'Visa (insufficient funds)',
  },
};

/** Test numbers the card form accepts, for the hint under it. */
export const SANDBOX_CARD_HINTS = [
  { number: '4242 4242 4242 4242', outcome: 'succeeds' },
  { number: '4000 0000 0000 0002', outcome: 'is declined' },
  { number: '4000 0000 0000 9995', outcome: 'has insufficient funds' },
] as const;

/** Only the digits of what was typed. */
export function cardDigits(input: string): string {
  return input.replace(/\D/g, '');
}

/** Groups digits in fours as they are typed: `4242424` → `4242 424`. */
export function formatCardNumber(input: string): string {
  return cardDigits(input)
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** Formats an expiry as it is typed: `1` → `1`, `12` → `12 / `, `1234` → `12 / 34`. */
export function formatExpiry(input: string, previous = ''): string {
  const digits = cardDigits(input).slice(0, 4);
  const deleting = input.length < previous.length;
  if (digits.length >= 3) return `${digits.slice(0, 2)} / ${digits.slice(2)}`;
  if (digits.length === 2 && !deleting) return `${digits} / `;
  return digits;
}

/** The card form's fields. */
export interface CardInput {
  number: string;
  expiry: string;
  cvc: string;
}

/** What {@link validateCard} answers: a PaymentMethod id or a message per field. */
export type CardCheck =
  { ok: true; paymentMethodId: string } | { ok: false; errors: Partial<Record<keyof CardInput, string>> };

/** Checks the card form and maps a Stripe test number to its test PaymentMethod id. */
export function validateCard(input: CardInput, now = new Date()): CardCheck {
  const errors: Partial<Record<keyof CardInput, string>> = {};
  const number = cardDigits(input.number);
  const card = TEST_CARDS[number];
  if (number.length === 0) errors.number = 'Enter the card number';
  else if (!card) {
    errors.number = 'This sandbox accepts Stripe test cards only, such as 4242 4242 4242 4242.';
  }

  const expiry = /^\s*(\d{1,2})\s*\/?\s*(\d{2})\s*$/.exec(input.expiry);
  if (!input.expiry.trim()) errors.expiry = 'Enter the expiry date';
  else if (!expiry?.[1] || !expiry[2]) errors.expiry = 'Use MM / YY';
  else {
    const month = Number(expiry[1]);
    const year = 2000 + Number(expiry[2]);
    if (month < 1 || month > 12) errors.expiry = 'The month must be 01 to 12';
    else if (year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1)) {
      errors.expiry = 'This card has expired';
    }
  }

  if (!/^\d{3,4}$/.test(input.cvc.trim())) errors.cvc = 'Enter the 3 or 4 digit security code';

  if (Object.keys(errors).length > 0 || !card) return { ok: false, errors };
  return { ok: true, paymentMethodId: card.paymentMethodId };
}
