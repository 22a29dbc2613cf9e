import type { ChargesService } from '../charges/charges.service';
import type { PaymentMethodsService } from '../payment-methods/payment-methods.service';
import { route, type ApiRequest, type ApiRoute } from '../server/api-route';
import { z } from 'zod';
import {
  boolean,
  expand,
  hash,
  initialMetadata,
  integer,
  metadata,
  nullableString,
  oneOf,
  parseParams,
  string,
  stringArray,
} from '../server/params';
import { amountLimits, stripeMaxAmount } from '@glotixz/common/events';
import { invalidParam } from '../server/stripe-error';
import type { PaymentIntentObject } from './payment-intent.object';
import type { PaymentIntentsService } from './payment-intents.service';

/** What the PaymentIntent routes call. */
export interface PaymentIntentRoutesDeps {
  intents: PaymentIntentsService;
  charges: ChargesService;
  methods: PaymentMethodsService;
}

/** `POST/GET /v1/payment_intents...`. */
export function paymentIntentRoutes(deps: PaymentIntentRoutesDeps): ApiRoute[] {
  return [
    route('post', '/payment_intents', (req) => createPaymentIntent(deps, req)),
    route('get', '/payment_intents/:id', (req) => retrievePaymentIntent(deps, req)),
    route('post', '/payment_intents/:id', (req) => updatePaymentIntent(deps, req)),
    route('post', '/payment_intents/:id/confirm', (req) => confirmPaymentIntent(deps, req)),
    route('post', '/payment_intents/:id/cancel', (req) => cancelPaymentIntent(deps, req)),
  ];
}

const EXPANDABLE = ['latest_charge', 'payment_method'] as const;

/** The parameters each route accepts, checked in this order (unknown ones first). */
const CreateParams = z.strictObject({
  amount: integer({ required: true, min: 1 }),
  currency: string({ required: true }),
  automatic_payment_methods: hash({
    enabled: boolean({ required: true }),
    allow_redirects: oneOf(['always', 'never']),
  }),
  payment_method_types: stringArray(),
  allowed_payment_method_types: stringArray(),
  confirm: boolean(),
  return_url: string(),
  expand: expand(EXPANDABLE),
  description: string(),
  receipt_email: string(),
  metadata: metadata(),
  payment_method: string(),
  transfer_group: string(),
});
const RetrieveParams = z.strictObject({ client_secret: string(), expand: expand(EXPANDABLE) });
const UpdateParams = z.strictObject({
  metadata: metadata(),
  description: nullableString(),
  receipt_email: nullableString(),
  transfer_group: nullableString(),
  expand: expand(EXPANDABLE),
});
const ConfirmParams = z.strictObject({
  payment_method: string(),
  return_url: string(),
  expand: expand(EXPANDABLE),
});
const CancelParams = z.strictObject({
  cancellation_reason: oneOf(['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer']),
  expand: expand(EXPANDABLE),
});
const CURRENCIES = new Set(Intl.supportedValuesOf('currency').map((code) => code.toLowerCase()));

/** Stripe's written form of a minor-unit amount in its messages: `$0.50 usd`. */
function written(amount: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return `${format.format(amount / 10 ** digits)} ${currency}`;
}

/**
 * Stripe's limits on one charge: at most eight digits in any currency, at least the minimum
 * charge of the currency (from its table; other currencies have a minimum that follows exchange
 * rates, which the sandbox does not model). The same 400s as Stripe, on `amount`.
 */
function checkAmountLimits(amount: number, currency: string): void {
  if (amount > stripeMaxAmount) {
    throw invalidParam(
      'amount',
      `Amount must be no more than ${written(stripeMaxAmount, currency)}`,
      'amount_too_large',
    );
  }
  const min = amountLimits(currency)?.min;
  if (min !== undefined && amount < min) {
    throw invalidParam('amount', `Amount must be at least ${written(min, currency)}`, 'amount_too_small');
  }
}

function createPaymentIntent(deps: PaymentIntentRoutesDeps, { body, ctx }: ApiRequest): unknown {
  const params = parseParams(CreateParams, body);
  const amount = params.amount;
  const currency = params.currency.toLowerCase();
  if (!CURRENCIES.has(currency)) {
    throw invalidParam(
      'currency',
      `Invalid currency: ${currency}. Use a three-letter ISO 4217 code such as usd.`,
    );
  }
  checkAmountLimits(amount, currency);
  const enabled = params.automatic_payment_methods?.enabled;
  const allowRedirects = params.automatic_payment_methods?.allow_redirects;
  const types = params.payment_method_types;
  const allowed = params.allowed_payment_method_types;
  if (types && enabled) {
    throw invalidParam(
      'automatic_payment_methods',
      'You may only specify one of these parameters: automatic_payment_methods, payment_method_types.',
      'parameters_exclusive',
    );
  }
  for (const [param, list] of [
    ['payment_method_types', types],
    ['allowed_payment_method_types', allowed],
  ] as const) {
    const unsupported = list?.find((type) => type !== 'card');
    if (unsupported !== undefined) {
      throw invalidParam(
        param,
        `The payment method type "${unsupported}" is invalid. The sandbox supports: card.`,
        'payment_intent_invalid_parameter',
      );
    }
  }
  const confirm = params.confirm ?? false;
  const returnUrl = params.return_url;
  if (returnUrl && !confirm) {
    throw invalidParam('return_url', 'You can only pass `return_url` together with `confirm=true`.');
  }
  // Without any of these parameters, current API versions turn automatic payment methods on.
  const byType = enabled === false || (enabled === undefined && Boolean(types ?? allowed));
  const intent = deps.intents.create(ctx, {
    amount,
    currency,
    description: params.description,
    receiptEmail: params.receipt_email,
    metadata: initialMetadata(params.metadata),
    automaticPaymentMethods: byType ? null : { allow_redirects: allowRedirects ?? 'always', enabled: true },
    allowedPaymentMethodTypes: allowed,
    paymentMethod: params.payment_method,
    transferGroup: params.transfer_group,
    confirm,
    returnUrl,
  });
  return present(deps, intent, params.expand);
}

function retrievePaymentIntent(deps: PaymentIntentRoutesDeps, { params: path, query }: ApiRequest): unknown {
  const { expand } = parseParams(RetrieveParams, query);
  return present(deps, deps.intents.retrieve(path.id!), expand);
}

function updatePaymentIntent(deps: PaymentIntentRoutesDeps, { params: path, body }: ApiRequest): unknown {
  const params = parseParams(UpdateParams, body);
  const intent = deps.intents.update(path.id!, {
    metadata: params.metadata,
    description: params.description,
    receiptEmail: params.receipt_email,
    transferGroup: params.transfer_group,
  });
  return present(deps, intent, params.expand);
}

function confirmPaymentIntent(
  deps: PaymentIntentRoutesDeps,
  { params: path, body, ctx }: ApiRequest,
): unknown {
  const params = parseParams(ConfirmParams, body);
  const intent = deps.intents.confirm(ctx, path.id!, {
    paymentMethod: params.payment_method,
    returnUrl: params.return_url,
  });
  return present(deps, intent, params.expand);
}

function cancelPaymentIntent(
  deps: PaymentIntentRoutesDeps,
  { params: path, body, ctx }: ApiRequest,
): unknown {
  const params = parseParams(CancelParams, body);
  return present(deps, deps.intents.cancel(ctx, path.id!, params.cancellation_reason), params.expand);
}

/** The PaymentIntent as answered, with `expand[]` fields replaced by their objects. */
function present(deps: PaymentIntentRoutesDeps, intent: PaymentIntentObject, expand: string[]): unknown {
  const answer: Record<string, unknown> = { ...intent };
  if (expand.includes('latest_charge') && intent.latest_charge) {
    answer.latest_charge = deps.charges.retrieve(intent.latest_charge);
  }
  if (expand.includes('payment_method') && intent.payment_method) {
    answer.payment_method = deps.methods.retrieve(intent.payment_method);
  }
  return answer;
}
