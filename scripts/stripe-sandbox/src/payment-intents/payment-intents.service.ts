import type { ChargesService } from '../charges/charges.service';
import type {
  PaymentMethodsService,
  ResolvedPaymentMethod,
} from '../payment-methods/payment-methods.service';
import type { RequestContext } from '../server/request-context';
import { unixNow } from '../server/ids';
import { mergeMetadata, type Metadata } from '../server/params';
import { StripeApiError, docUrl, invalidRequest, resourceMissing } from '../server/stripe-error';
import type { BalanceService } from '../balance/balance.service';
import type { EventLog } from '../webhooks/event-log';
import {
  newPaymentIntent,
  type CancellationReason,
  type PaymentIntentObject,
  type PaymentIntentStatus,
} from './payment-intent.object';

/** `POST /v1/payment_intents` once parsed. */
export interface CreatePaymentIntentInput {
  amount: number;
  currency: string;
  description?: string;
  receiptEmail?: string;
  metadata: Metadata;
  /** `null` when the caller chose payment method types instead. */
  automaticPaymentMethods: PaymentIntentObject['automatic_payment_methods'];
  /** `allowed_payment_method_types` (current API versions), when given. */
  allowedPaymentMethodTypes?: string[];
  paymentMethod?: string;
  transferGroup?: string;
  confirm: boolean;
  returnUrl?: string;
}

/** `POST /v1/payment_intents/:id` once parsed. */
export interface UpdatePaymentIntentInput {
  metadata?: { values: Metadata; cleared: boolean };
  description?: string | null;
  receiptEmail?: string | null;
  transferGroup?: string | null;
}

/** `POST /v1/payment_intents/:id/confirm` once parsed. */
export interface ConfirmPaymentIntentInput {
  paymentMethod?: string;
  returnUrl?: string;
}

const CONFIRMABLE: readonly PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation'];
const CANCELABLE: readonly PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation'];

function unexpectedState(message: string, intent: PaymentIntentObject): StripeApiError {
  return invalidRequest(message, {
    code: 'payment_intent_unexpected_state',
    payment_intent: structuredClone(intent),
  });
}

/**
 * PaymentIntents and their life cycle: `requires_payment_method` → (confirm) `succeeded`, or
 * back to `requires_payment_method` with `last_payment_error` on a decline; `canceled`.
 * Confirmation charges the card at once (automatic capture, no 3-D Secure).
 */
export class PaymentIntentsService {
  private readonly intents = new Map<string, PaymentIntentObject>();

  constructor(
    private readonly methods: PaymentMethodsService,
    private readonly charges: ChargesService,
    private readonly events: EventLog,
    private readonly balance: BalanceService,
  ) {}

  /** Creates a PaymentIntent, and confirms it at once when `confirm` is set. */
  create(ctx: RequestContext, input: CreatePaymentIntentInput): PaymentIntentObject {
    const intent = newPaymentIntent({
      amount: input.amount,
      currency: input.currency,
      description: input.description ?? null,
      receiptEmail: input.receiptEmail ?? null,
      metadata: input.metadata,
      automaticPaymentMethods: input.automaticPaymentMethods,
    });
    intent.transfer_group = input.transferGroup ?? null;
    if (input.allowedPaymentMethodTypes)
      intent.allowed_payment_method_types = input.allowedPaymentMethodTypes;
    const method = input.paymentMethod ? this.methods.resolve(input.paymentMethod) : undefined;
    if (method) {
      intent.payment_method = method.object.id;
      intent.status = 'requires_confirmation';
    }
    if (input.confirm) {
      if (!method) throw this.missingPaymentMethod(intent);
      this.requireReturnUrl(intent, input.returnUrl);
    }
    this.intents.set(intent.id, intent);
    return input.confirm && method ? this.charge(ctx, intent, method) : intent;
  }

  /** The live PaymentIntent, if it exists. */
  find(id: string): PaymentIntentObject | undefined {
    return this.intents.get(id);
  }

  /** The live PaymentIntent; 404 when unknown. */
  retrieve(id: string): PaymentIntentObject {
    const intent = this.intents.get(id);
    if (!intent) throw resourceMissing('payment_intent', id, 'intent', 404);
    return intent;
  }

  /** Updates metadata, description or receipt email. */
  update(id: string, input: UpdatePaymentIntentInput): PaymentIntentObject {
    const intent = this.retrieve(id);
    if (input.metadata) intent.metadata = mergeMetadata(intent.metadata, input.metadata);
    if (input.description !== undefined) intent.description = input.description;
    if (input.receiptEmail !== undefined) intent.receipt_email = input.receiptEmail;
    if (input.transferGroup !== undefined) intent.transfer_group = input.transferGroup;
    return intent;
  }

  /** Charges the PaymentIntent's (or the given) payment method; a decline throws Stripe's 402. */
  confirm(ctx: RequestContext, id: string, input: ConfirmPaymentIntentInput): PaymentIntentObject {
    const intent = this.retrieve(id);
    if (intent.status === 'succeeded') {
      throw unexpectedState(
        'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.',
        intent,
      );
    }
    if (!CONFIRMABLE.includes(intent.status)) {
      throw unexpectedState(
        `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. ` +
          `Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
        intent,
      );
    }
    const reference = input.paymentMethod ?? intent.payment_method;
    if (!reference) throw this.missingPaymentMethod(intent);
    const method = this.methods.resolve(reference);
    this.requireReturnUrl(intent, input.returnUrl);
    return this.charge(ctx, intent, method);
  }

  /** Cancels a PaymentIntent that has not succeeded. */
  cancel(ctx: RequestContext, id: string, reason: CancellationReason | undefined): PaymentIntentObject {
    const intent = this.retrieve(id);
    if (!CANCELABLE.includes(intent.status)) {
      throw unexpectedState(
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. ` +
          `Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
        intent,
      );
    }
    intent.status = 'canceled';
    intent.canceled_at = unixNow();
    intent.cancellation_reason = reason ?? null;
    this.events.record(ctx, 'payment_intent.canceled', intent);
    return intent;
  }

  /** Every PaymentIntent, oldest first. */
  all(): PaymentIntentObject[] {
    return [...this.intents.values()];
  }

  private charge(
    ctx: RequestContext,
    intent: PaymentIntentObject,
    method: ResolvedPaymentMethod,
  ): PaymentIntentObject {
    const outcome = method.card.outcome;
    const charge = this.charges.create({
      paymentIntent: intent,
      paymentMethod: method.object,
      receiptEmail: intent.receipt_email,
      outcome,
    });
    intent.latest_charge = charge.id;
    if (outcome.kind === 'success') {
      intent.status = 'succeeded';
      intent.amount_received = intent.amount;
      intent.payment_method = method.object.id;
      intent.last_payment_error = null;
      this.balance.add(intent.currency, intent.amount);
      this.events.record(ctx, 'payment_intent.succeeded', intent);
      return intent;
    }
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.last_payment_error = {
      type: 'card_error',
      code: outcome.code,
      decline_code: outcome.declineCode,
      doc_url: docUrl(outcome.code),
      message: outcome.message,
      ...(outcome.param ? { param: outcome.param } : {}),
      charge: charge.id,
      payment_method: structuredClone(method.object),
      payment_method_type: 'card',
    };
    this.events.record(ctx, 'payment_intent.payment_failed', intent);
    throw new StripeApiError(402, {
      type: 'card_error',
      code: outcome.code,
      decline_code: outcome.declineCode,
      doc_url: docUrl(outcome.code),
      message: outcome.message,
      ...(outcome.param ? { param: outcome.param } : {}),
      charge: charge.id,
      payment_intent: structuredClone(intent),
      payment_method: structuredClone(method.object),
    });
  }

  private missingPaymentMethod(intent: PaymentIntentObject): StripeApiError {
    return unexpectedState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. " +
        'You can either update the PaymentIntent with a payment method and then confirm it again, ' +
        'or confirm it again directly with a payment method.',
      intent,
    );
  }

  /** Stripe refuses to confirm without `return_url` while redirect-based methods are allowed. */
  private requireReturnUrl(intent: PaymentIntentObject, returnUrl: string | undefined): void {
    const automatic = intent.automatic_payment_methods;
    if (!automatic || automatic.allow_redirects === 'never' || returnUrl) return;
    throw invalidRequest(
      'A `return_url` must be specified because this Payment Intent is configured to automatically accept the ' +
        'payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. ' +
        'If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to ' +
        '`true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and ' +
        'Payment Intents.',
    );
  }
}
