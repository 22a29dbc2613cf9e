import { newId, randomToken, unixNow } from '../server/ids';
import type { Metadata } from '../server/params';
import type { PaymentMethodObject } from '../payment-methods/payment-methods.service';

/** The PaymentIntent statuses the sandbox reaches (no 3-D Secure, no manual capture). */
export type PaymentIntentStatus =
  'requires_payment_method' | 'requires_confirmation' | 'succeeded' | 'canceled';

/** Why a PaymentIntent was canceled, as the cancel call accepts it. */
export type CancellationReason = 'abandoned' | 'duplicate' | 'fraudulent' | 'requested_by_customer';

/** `last_payment_error`: the card error of the latest failed confirmation. */
export interface LastPaymentError {
  type: 'card_error';
  code: string;
  decline_code: string;
  doc_url: string;
  message: string;
  param?: string;
  charge: string;
  payment_method: PaymentMethodObject;
  payment_method_type: 'card';
}

/** A PaymentIntent as Stripe's API returns it (the fields the sandbox models). */
export interface PaymentIntentObject {
  id: string;
  object: 'payment_intent';
  allowed_payment_method_types: string[] | null;
  amount: number;
  amount_capturable: number;
  amount_details: { tip: Record<string, never> };
  amount_received: number;
  application: null;
  application_fee_amount: null;
  automatic_payment_methods: { allow_redirects: 'always' | 'never'; enabled: true } | null;
  canceled_at: number | null;
  cancellation_reason: CancellationReason | null;
  capture_method: 'automatic_async';
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  customer: null;
  description: string | null;
  last_payment_error: LastPaymentError | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Metadata;
  next_action: null;
  on_behalf_of: null;
  payment_method: string | null;
  payment_method_configuration_details: null;
  payment_method_options: {
    card: { installments: null; mandate_options: null; network: null; request_three_d_secure: 'automatic' };
  };
  payment_method_types: string[];
  processing: null;
  receipt_email: string | null;
  review: null;
  setup_future_usage: null;
  shipping: null;
  source: null;
  statement_descriptor: null;
  statement_descriptor_suffix: null;
  status: PaymentIntentStatus;
  transfer_data: null;
  transfer_group: string | null;
}

/** A new PaymentIntent in `requires_payment_method`. */
export function newPaymentIntent(fields: {
  amount: number;
  currency: string;
  description: string | null;
  receiptEmail: string | null;
  metadata: Metadata;
  automaticPaymentMethods: PaymentIntentObject['automatic_payment_methods'];
}): PaymentIntentObject {
  const id = newId('pi');
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: fields.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: fields.automaticPaymentMethods,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: `${id}_secret_${randomToken(25)}`,
    confirmation_method: 'automatic',
    created: unixNow(),
    currency: fields.currency,
    customer: null,
    description: fields.description,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: fields.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: ['card'],
    processing: null,
    receipt_email: fields.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
}
