import { randomToken, newId, unixNow } from '../server/ids';
import type { Metadata } from '../server/params';
import { StripeApiError, docUrl, resourceMissing } from '../server/stripe-error';
import { cardForNumber, cardForTestPaymentMethod, passesLuhn, type TestCard } from './test-cards';

/** A card PaymentMethod as Stripe's API returns it (the fields the sandbox models). */
export interface PaymentMethodObject {
  id: string;
  object: 'payment_method';
  allow_redisplay: 'unspecified';
  billing_details: {
    address: Record<'city' | 'country' | 'line1' | 'line2' | 'postal_code' | 'state', string | null>;
    email: string | null;
    name: string | null;
    phone: string | null;
  };
  card: {
    brand: string;
    checks: {
      address_line1_check: null;
      address_postal_code_check: null;
      cvc_check: 'pass' | 'unchecked' | null;
    };
    country: string;
    display_brand: string;
    exp_month: number;
    exp_year: number;
    fingerprint: string;
    funding: string;
    generated_from: null;
    last4: string;
    networks: { available: string[]; preferred: null };
    regulated_status: 'unregulated';
    three_d_secure_usage: { supported: boolean };
    wallet: null;
  };
  created: number;
  customer: null;
  livemode: false;
  metadata: Metadata;
  type: 'card';
}

/** A PaymentMethod together with the test card that decides its charges. */
export interface ResolvedPaymentMethod {
  object: PaymentMethodObject;
  card: TestCard;
}

/** Input of `POST /v1/payment_methods` once parsed. */
export interface CreateCardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc?: string;
  name?: string;
  email?: string;
  metadata: Metadata;
}

function cardError(code: string, message: string, param: string): StripeApiError {
  return new StripeApiError(402, { type: 'card_error', code, doc_url: docUrl(code), message, param });
}

/**
 * Card PaymentMethods: created from card details (checked like Stripe checks them) or resolved
 * from Stripe's test ids (`pm_card_visa`, ...), which mint a fresh `pm_` object each time as
 * Stripe does.
 */
export class PaymentMethodsService {
  private readonly methods = new Map<string, ResolvedPaymentMethod>();
  private readonly fingerprints = new Map<string, string>();

  /** Creates a card PaymentMethod; a bad number or expiry is a 402 `card_error` like Stripe's. */
  create(input: CreateCardInput): PaymentMethodObject {
    const number = input.number.replace(/[\s-]/g, '');
    if (!/^\d{12,19}$/.test(number)) {
      throw cardError('invalid_number', 'Your card number is not a valid credit card number.', 'number');
    }
    if (!passesLuhn(number)) throw cardError('incorrect_number', 'Your card number is incorrect.', 'number');
    if (input.expMonth < 1 || input.expMonth > 12) {
      throw cardError('invalid_expiry_month', "Your card's expiration month is invalid.", 'exp_month');
    }
    const now = new Date();
    const expYear = input.expYear < 100 ? 2000 + input.expYear : input.expYear;
    const expired =
      expYear < now.getUTCFullYear() ||
      (expYear === now.getUTCFullYear() && input.expMonth < now.getUTCMonth() + 1);
    if (expired || expYear > now.getUTCFullYear() + 50) {
      throw cardError('invalid_expiry_year', "Your card's expiration year is invalid.", 'exp_year');
    }
    if (input.cvc !== undefined && !/^\d{3,4}$/.test(input.cvc)) {
      throw cardError('invalid_cvc', "Your card's security code is invalid.", 'cvc');
    }
    const card = cardForNumber(number);
    return this.store(card, {
      expMonth: input.expMonth,
      expYear,
      cvcChecked: input.cvc !== undefined,
      name: input.name ?? null,
      email: input.email ?? null,
      metadata: input.metadata,
    }).object;
  }

  /** A stored PaymentMethod, or a fresh one for a test id; 404 otherwise. */
  retrieve(id: string): PaymentMethodObject {
    const resolved = this.lookup(id);
    if (!resolved) throw resourceMissing('PaymentMethod', id, 'payment_method', 404);
    return resolved.object;
  }

  /** Resolves the `payment_method` parameter of a PaymentIntent call; 400 when unknown, like Stripe. */
  resolve(id: string): ResolvedPaymentMethod {
    const resolved = this.lookup(id);
    if (!resolved) throw resourceMissing('PaymentMethod', id, 'payment_method', 400);
    return resolved;
  }

  private lookup(id: string): ResolvedPaymentMethod | undefined {
    const stored = this.methods.get(id);
    if (stored) return stored;
    const card = cardForTestPaymentMethod(id);
    if (!card) return undefined;
    const nextYear = new Date().getUTCFullYear() + 1;
    return this.store(card, {
      expMonth: 12,
      expYear: nextYear,
      cvcChecked: true,
      name: null,
      email: null,
      metadata: {},
    });
  }

  private store(
    card: TestCard,
    details: {
      expMonth: number;
      expYear: number;
      cvcChecked: boolean;
      name: string | null;
      email: string | null;
      metadata: Metadata;
    },
  ): ResolvedPaymentMethod {
    let fingerprint = this.fingerprints.get(card.number);
    if (!fingerprint) {
      fingerprint = randomToken(16);
      this.fingerprints.set(card.number, fingerprint);
    }
    const object: PaymentMethodObject = {
      id: newId('pm'),
      object: 'payment_method',
      allow_redisplay: 'unspecified',
      billing_details: {
        address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
        email: details.email,
        name: details.name,
        phone: null,
      },
      card: {
        brand: card.brand,
        checks: {
          address_line1_check: null,
          address_postal_code_check: null,
          cvc_check: details.cvcChecked ? 'pass' : null,
        },
        country: 'US',
        display_brand: card.brand === 'amex' ? 'american_express' : card.brand,
        exp_month: details.expMonth,
        exp_year: details.expYear,
        fingerprint,
        funding: card.funding,
        generated_from: null,
        last4: card.number.slice(-4),
        networks: { available: [card.brand], preferred: null },
        regulated_status: 'unregulated',
        three_d_secure_usage: { supported: true },
        wallet: null,
      },
      created: unixNow(),
      customer: null,
      livemode: false,
      metadata: details.metadata,
      type: 'card',
    };
    const resolved = { object, card };
    this.methods.set(object.id, resolved);
    return resolved;
  }
}
