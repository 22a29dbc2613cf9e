/** What happens when a card is charged. */
export type ChargeOutcome =
  | { kind: 'success' }
  | {
      kind: 'decline';
      /** Stripe's error `code`: `card_declined`, or a specific one such as `expired_card`. */
      code: string;
      /** Stripe's `decline_code`. */
      declineCode: string;
      message: string;
      /** The card field the error points at, when Stripe names one. */
      param?: string;
    };

/** A card the sandbox knows: Stripe's test numbers and the outcome Stripe documents for each. */
export interface TestCard {
  number: string;
  brand: 'visa' | 'mastercard' | 'amex';
  funding: 'credit' | 'debit';
  outcome: ChargeOutcome;
}

const declined = (declineCode: string, message = 'Your card was declined.'): ChargeOutcome => ({
  kind: 'decline',
  code: 'card_declined',
  declineCode,
  message,
});

/** Stripe's own test card numbers (docs.stripe.com/testing), by number. */
const CARDS: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'visa', funding: 'credit', outcome: { kind: 'success' } },
  { number: '4000056655665556', brand: 'visa', funding: 'debit', outcome: { kind: 'success' } },
  { number: '5555555555554444', brand: 'mastercard', funding: 'credit', outcome: { kind: 'success' } },
  { number: '378282246310005', brand: 'amex', funding: 'credit', outcome: { kind: 'success' } },
  { number: '4000000000000002', brand: 'visa', funding: 'credit', outcome: declined('generic_decline') },
  {
    number: '4000000000009995',
    brand: 'visa',
    funding: 'credit',
    outcome: declined('insufficient_funds', 'Your card has insufficient funds.'),
  },
  { number: '4000000000009987', brand: 'visa', funding: 'credit', outcome: declined('lost_card') },
  { number: '4000000000009979', brand: 'visa', funding: 'credit', outcome: declined('stolen_card') },
  {
    number: '4000000000000069',
    brand: 'visa',
    funding: 'credit',
    outcome: {
      kind: 'decline',
      code: 'expired_card',
      declineCode: 'expired_card',
      message: 'Your card has expired.',
      param: 'exp_month',
    },
  },
  {
    number: '4000000000000127',
    brand: 'visa',
    funding: 'credit',
    outcome: {
      kind: 'decline',
      code: 'incorrect_cvc',
      declineCode: 'incorrect_cvc',
      message: "Your card's security code is incorrect.",
      param: 'cvc',
    },
  },
  {
    number: '4000000000000119',
    brand: 'visa',
    funding: 'credit',
    outcome: {
      kind: 'decline',
      code: 'processing_error',
      declineCode: 'processing_error',
      message: 'An error occurred while processing your card. Try again in a little bit.',
    },
  },
];

/**
 * Stripe's test PaymentMethod ids and the card behind each. Stripe documents the
 * `pm_card_visa_chargeDeclined*` names; the shorter `pm_card_chargeDeclined*` names (from the
 * matching `tok_chargeDeclined*` tokens) work on Stripe too and are accepted as aliases.
 */
const TEST_PAYMENT_METHODS: Readonly<Record<string, string>> = {
  pm_card_visa: '4242424242424242',
  pm_card_visa_debit: '4000056655665556',
  pm_card_mastercard: '5555555555554444',
  pm_card_amex: '378282246310005',
  pm_card_visa_chargeDeclined: '4000000000000002',
  pm_card_chargeDeclined: '4000000000000002',
  pm_card_visa_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_visa_chargeDeclinedLostCard: '4000000000009987',
  pm_card_chargeDeclinedLostCard: '4000000000009987',
  pm_card_visa_chargeDeclinedStolenCard: '4000000000009979',
  pm_card_chargeDeclinedStolenCard: '4000000000009979',
  pm_card_chargeDeclinedExpiredCard: '4000000000000069',
  pm_card_chargeDeclinedIncorrectCvc: '4000000000000127',
  pm_card_chargeDeclinedProcessingError: '4000000000000119',
};

/** Every test PaymentMethod id the sandbox resolves (for documentation and tests). */
export const testPaymentMethodIds: readonly string[] = Object.keys(TEST_PAYMENT_METHODS);

/** The Luhn checksum every real card number satisfies. */
export function passesLuhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function brandOf(number: string): TestCard['brand'] {
  if (/^3[47]/.test(number)) return 'amex';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  return 'visa';
}

/**
 * The behaviour of a (Luhn-valid) card number. A number that is not one of Stripe's test cards
 * is declined as Stripe declines a real card used in test mode.
 */
export function cardForNumber(number: string): TestCard {
  return (
    CARDS.find((card) => card.number === number) ?? {
      number,
      brand: brandOf(number),
      funding: 'credit',
      outcome: declined(
        'test_mode_live_card',
        'Your card was declined. Your request was in test mode, but used a non test (live) card. ' +
          'For a list of valid test cards, visit: https://stripe.com/docs/testing.',
      ),
    }
  );
}

/** The card behind a test PaymentMethod id such as `pm_card_visa`, if it is one. */
export function cardForTestPaymentMethod(id: string): TestCard | undefined {
  const number = TEST_PAYMENT_METHODS[id];
  return number === undefined ? undefined : cardForNumber(number);
}
