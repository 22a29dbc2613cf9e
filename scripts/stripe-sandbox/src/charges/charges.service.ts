import { newId, unixNow } from '../server/ids';
import type { Metadata } from '../server/params';
import { resourceMissing } from '../server/stripe-error';
import type { PaymentMethodObject } from '../payment-methods/payment-methods.service';
import type { ChargeOutcome } from '../payment-methods/test-cards';

/** A Charge as Stripe's API returns it (the fields the sandbox models). */
export interface ChargeObject {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  balance_transaction: string | null;
  billing_details: PaymentMethodObject['billing_details'];
  captured: boolean;
  created: number;
  currency: string;
  customer: null;
  description: string | null;
  disputed: false;
  failure_code: string | null;
  failure_message: string | null;
  fraud_details: Record<string, never>;
  livemode: false;
  metadata: Metadata;
  outcome: {
    network_status: 'approved_by_network' | 'declined_by_network';
    reason: string | null;
    risk_level: 'normal';
    seller_message: string;
    type: 'authorized' | 'issuer_declined';
  };
  paid: boolean;
  payment_intent: string;
  payment_method: string;
  payment_method_details: {
    card: Pick<
      PaymentMethodObject['card'],
      'brand' | 'country' | 'exp_month' | 'exp_year' | 'funding' | 'last4'
    >;
    type: 'card';
  };
  receipt_email: string | null;
  receipt_url: string | null;
  refunded: boolean;
  status: 'succeeded' | 'failed';
  transfer_group: string | null;
}

/** What a PaymentIntent confirmation charges. */
export interface ChargeInput {
  paymentIntent: {
    id: string;
    amount: number;
    currency: string;
    description: string | null;
    metadata: Metadata;
    transfer_group: string | null;
  };
  paymentMethod: PaymentMethodObject;
  receiptEmail: string | null;
  outcome: ChargeOutcome;
}

/** The charges PaymentIntent confirmations create, succeeded or failed. */
export class ChargesService {
  private readonly charges = new Map<string, ChargeObject>();

  /** Records the charge of one confirmation attempt. */
  create(input: ChargeInput): ChargeObject {
    const { paymentIntent, paymentMethod, outcome } = input;
    const succeeded = outcome.kind === 'success';
    const { brand, country, exp_month, exp_year, funding, last4 } = paymentMethod.card;
    const charge: ChargeObject = {
      id: newId('ch'),
      object: 'charge',
      amount: paymentIntent.amount,
      amount_captured: succeeded ? paymentIntent.amount : 0,
      amount_refunded: 0,
      balance_transaction: succeeded ? newId('txn') : null,
      billing_details: structuredClone(paymentMethod.billing_details),
      captured: succeeded,
      created: unixNow(),
      currency: paymentIntent.currency,
      customer: null,
      description: paymentIntent.description,
      disputed: false,
      failure_code: succeeded ? null : outcome.code,
      failure_message: succeeded ? null : outcome.message,
      fraud_details: {},
      livemode: false,
      metadata: { ...paymentIntent.metadata },
      outcome: succeeded
        ? {
            network_status: 'approved_by_network',
            reason: null,
            risk_level: 'normal',
            seller_message: 'Payment complete.',
            type: 'authorized',
          }
        : {
            network_status: 'declined_by_network',
            reason: outcome.declineCode,
            risk_level: 'normal',
            seller_message: 'The bank did not return any further details with this decline.',
            type: 'issuer_declined',
          },
      paid: succeeded,
      payment_intent: paymentIntent.id,
      payment_method: paymentMethod.id,
      payment_method_details: { card: { brand, country, exp_month, exp_year, funding, last4 }, type: 'card' },
      receipt_email: input.receiptEmail,
      receipt_url: null,
      refunded: false,
      status: succeeded ? 'succeeded' : 'failed',
      transfer_group: paymentIntent.transfer_group,
    };
    this.charges.set(charge.id, charge);
    return charge;
  }

  /** The live charge (mutable: refunds update it). */
  find(id: string): ChargeObject | undefined {
    return this.charges.get(id);
  }

  /** `GET /v1/charges/:id`. */
  retrieve(id: string): ChargeObject {
    const charge = this.charges.get(id);
    if (!charge) throw resourceMissing('charge', id, 'id', 404);
    return charge;
  }

  /** Counts a refund against the charge. */
  addRefund(charge: ChargeObject, amount: number): void {
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
  }
}
