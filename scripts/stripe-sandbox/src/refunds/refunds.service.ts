import type { ChargeObject, ChargesService } from '../charges/charges.service';
import type { PaymentIntentsService } from '../payment-intents/payment-intents.service';
import { newId, unixNow } from '../server/ids';
import { listPage, type ListCursor, type ListObject } from '../server/list';
import type { Metadata } from '../server/params';
import type { RequestContext } from '../server/request-context';
import { invalidRequest, resourceMissing } from '../server/stripe-error';
import type { BalanceService } from '../balance/balance.service';
import type { EventLog } from '../webhooks/event-log';

/** Why a refund was made, as `POST /v1/refunds` accepts it. */
export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

/** A Refund as Stripe's API returns it (the fields the sandbox models). */
export interface RefundObject {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: string;
  charge: string;
  created: number;
  currency: string;
  customer: null;
  metadata: Metadata;
  payment_intent: string;
  reason: RefundReason | null;
  receipt_number: null;
  source_transfer_reversal: null;
  status: 'succeeded';
  transfer_reversal: null;
}

/** `POST /v1/refunds` once parsed: exactly one of `paymentIntent` and `charge`. */
export interface CreateRefundInput {
  paymentIntent?: string;
  charge?: string;
  amount?: number;
  reason?: RefundReason;
  metadata: Metadata;
}

function formatAmount(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
      amount / 100,
    );
  } catch {
    return `${amount} ${currency}`;
  }
}

/**
 * Refunds of succeeded payments, full or partial; they succeed at once. The total refunded never
 * exceeds the amount charged.
 */
export class RefundsService {
  private readonly refunds = new Map<string, RefundObject>();

  constructor(
    private readonly intents: PaymentIntentsService,
    private readonly charges: ChargesService,
    private readonly events: EventLog,
    private readonly balance: BalanceService,
  ) {}

  /** Refunds `amount` (default: what is left) of a succeeded payment. */
  create(ctx: RequestContext, input: CreateRefundInput): RefundObject {
    const charge = this.refundableCharge(input);
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining === 0) {
      throw invalidRequest(`Charge ${charge.id} has already been refunded.`, {
        code: 'charge_already_refunded',
      });
    }
    const amount = input.amount ?? remaining;
    if (amount > remaining) {
      throw invalidRequest(
        `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge ` +
          `(${formatAmount(remaining, charge.currency)})`,
        { code: 'amount_too_large', param: 'amount' },
      );
    }
    const refund: RefundObject = {
      id: newId('re'),
      object: 'refund',
      amount,
      balance_transaction: newId('txn'),
      charge: charge.id,
      created: unixNow(),
      currency: charge.currency,
      customer: null,
      metadata: input.metadata,
      payment_intent: charge.payment_intent,
      reason: input.reason ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    this.refunds.set(refund.id, refund);
    this.charges.addRefund(charge, amount);
    this.balance.add(charge.currency, -amount);
    this.events.record(ctx, 'charge.refunded', charge);
    this.events.record(ctx, 'refund.created', refund);
    return refund;
  }

  /** `GET /v1/refunds/:id`. */
  retrieve(id: string): RefundObject {
    const refund = this.refunds.get(id);
    if (!refund) throw resourceMissing('refund', id, 'id', 404);
    return refund;
  }

  /** `GET /v1/refunds`: newest first, of one charge or PaymentIntent when asked, paged like Stripe's lists. */
  list(input: ListCursor & { charge?: string; paymentIntent?: string }): ListObject<RefundObject> {
    const matching = this.all()
      .reverse()
      .filter(
        (refund) =>
          (input.charge === undefined || refund.charge === input.charge) &&
          (input.paymentIntent === undefined || refund.payment_intent === input.paymentIntent),
      );
    return listPage(matching, input, '/v1/refunds', 'refund');
  }

  /** Every refund, oldest first. */
  all(): RefundObject[] {
    return [...this.refunds.values()];
  }

  private refundableCharge(input: CreateRefundInput): ChargeObject {
    if (input.charge !== undefined) {
      const charge = this.charges.find(input.charge);
      if (!charge) throw resourceMissing('charge', input.charge, 'charge', 400);
      if (charge.status !== 'succeeded') {
        throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, {
          code: 'charge_not_refundable',
          param: 'charge',
        });
      }
      return charge;
    }
    const id = input.paymentIntent!;
    const intent = this.intents.find(id);
    if (!intent) throw resourceMissing('payment_intent', id, 'payment_intent', 400);
    const charge = intent.latest_charge ? this.charges.find(intent.latest_charge) : undefined;
    if (intent.status !== 'succeeded' || !charge) {
      throw invalidRequest(
        `This PaymentIntent (${intent.id}) does not have a successful charge to refund (status: ${intent.status}).`,
        { code: 'payment_intent_unexpected_state', param: 'payment_intent' },
      );
    }
    return charge;
  }
}
