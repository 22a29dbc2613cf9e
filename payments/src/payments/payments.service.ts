import { AppError, notFound } from '@glotixz/common/errors';
import { traceHeaders } from '@glotixz/common/tracing';
import type { PaymentsDb } from '../db/db';
import type { PaymentRow } from '../db/schema';
import { ordersRepo, type LockedOrder } from '../orders/orders.repo';
import {
  CardDeclinedError,
  IntentStateError,
  InvalidStripeRequestError,
  PaymentMethodInvalidError,
  ProviderUnavailableError,
  type StripeGateway,
} from '../stripe/stripe.gateway';
import { paymentsRepo } from './payments.repo';
import type { PaymentView } from './payments.schemas';

/** What {@link createPaymentsService} needs. */
export interface PaymentsServiceDeps {
  db: PaymentsDb;
  stripe: Pick<StripeGateway, 'createIntent' | 'confirm'>;
  /** Returned to buyers for the Payment Element, when configured. */
  publishableKey?: string;
}

/** The answer to paying: the payment, and whether this call created its PaymentIntent. */
export interface PayOutcome {
  created: boolean;
  payment: PaymentView;
}

/** Stripe statuses after which only the webhook can tell how the attempt ended. */
const awaitingVerdict = new Set(['processing', 'succeeded', 'requires_capture']);

function assertPayable({ order, expired }: LockedOrder, payment: PaymentRow | null): void {
  if (order.status === 'complete' || payment?.status === 'succeeded') {
    throw new AppError('ORDER_ALREADY_PAID', 'This order is already paid');
  }
  if (order.status === 'cancelled') throw new AppError('ORDER_NOT_PAYABLE', 'This order was cancelled');
  if (expired) throw new AppError('ORDER_NOT_PAYABLE', 'The reservation of this order has expired');
}

/** Turns a failed Stripe call into the answer the buyer gets. */
function providerFailure(err: unknown): unknown {
  if (err instanceof ProviderUnavailableError) {
    return new AppError(
      'PAYMENT_PROVIDER_UNAVAILABLE',
      'The payment provider is unavailable; try again shortly',
    );
  }
  if (err instanceof IntentStateError) {
    return new AppError('CONFLICT', 'This payment was already confirmed; wait for its outcome');
  }
  if (err instanceof PaymentMethodInvalidError) {
    return new AppError(
      'PAYMENT_METHOD_INVALID',
      'This payment method does not exist or cannot be used; choose another one',
      { stripeCode: err.code, param: err.param },
    );
  }
  if (err instanceof InvalidStripeRequestError) {
    return new AppError(
      'PAYMENT_REQUEST_INVALID',
      `The payment provider refused this payment: ${err.message}`,
      {
        stripeCode: err.code,
        param: err.param,
      },
    );
  }
  return err;
}

/**
 * The buyer-facing payment rules. Another user's order is reported as missing (I7). The amount
 * and currency always come from the order replica, never from the client.
 */
export function createPaymentsService({ db, stripe, publishableKey }: PaymentsServiceDeps) {
  function toView(row: PaymentRow): PaymentView {
    const { id, orderId, status, clientSecret, amount, currency, lastError } = row;
    const view: PaymentView = { id, orderId, status, clientSecret, amount, currency };
    if (publishableKey !== undefined) view.publishableKey = publishableKey;
    if (lastError) view.lastError = lastError;
    return view;
  }

  async function current(orderId: string): Promise<PaymentRow> {
    const row = await paymentsRepo.findByOrder(db, orderId);
    if (!row) throw new Error(`payment of order ${orderId} vanished`);
    return row;
  }

  /**
   * Checks the order (locked, in a short transaction), creates its PaymentIntent outside any
   * transaction when it has none, then records it and claims the attempt in a second short
   * transaction that checks the order again: it may have been cancelled, or a concurrent call may
   * have recorded the same PaymentIntent, meanwhile.
   */
  async function prepare(
    userId: string,
    input: { orderId: string; paymentMethodId?: string },
  ): Promise<{ created: boolean; payment: PaymentRow; claimed: boolean }> {
    const first = await db.transaction(async (tx) => {
      const locked = await ordersRepo.lock(tx, input.orderId);
      if (!locked || locked.order.userId !== userId) throw notFound('Order');
      const existing = await paymentsRepo.findByOrder(tx, locked.order.id);
      assertPayable(locked, existing);
      if (!existing) return { order: locked.order, existing };
      const claimed = input.paymentMethodId ? await paymentsRepo.claimAttempt(tx, existing.id) : null;
      return { order: locked.order, existing, claimed };
    });
    if (first.existing) {
      const { existing, claimed } = first;
      return { created: false, payment: claimed ?? existing, claimed: Boolean(claimed) };
    }
    const { order } = first;
    const intent = await stripe.createIntent(
      { orderId: order.id, userId: order.userId, amount: order.amount, currency: order.currency },
      { traceparent: traceHeaders().traceparent },
    );
    return db.transaction(async (tx) => {
      const locked = await ordersRepo.lock(tx, order.id);
      if (!locked) throw notFound('Order');
      const existing = await paymentsRepo.findByOrder(tx, order.id);
      assertPayable(locked, existing);
      const payment =
        existing ??
        (await paymentsRepo.insert(tx, {
          orderId: order.id,
          intentId: intent.id,
          clientSecret: intent.clientSecret,
          amount: order.amount,
          currency: order.currency,
        }));
      const claimed = input.paymentMethodId ? await paymentsRepo.claimAttempt(tx, payment.id) : null;
      return { created: !existing, payment: claimed ?? payment, claimed: claimed !== null };
    });
  }

  return {
    /**
     * Creates the order's PaymentIntent, or returns the one it has, and with `paymentMethodId`
     * confirms it on the server. Stripe is never called inside a transaction: the PaymentIntent is
     * created between two short ones, with the order's idempotency key, so concurrent calls get
     * one PaymentIntent and make one row (I6); only one confirmation is in flight at a time.
     * @throws AppError NOT_FOUND, ORDER_ALREADY_PAID, ORDER_NOT_PAYABLE, PAYMENT_DECLINED (with
     * `details.declineCode`), PAYMENT_METHOD_INVALID, PAYMENT_REQUEST_INVALID (with Stripe's
     * `details.stripeCode` and `details.param`), PAYMENT_PROVIDER_UNAVAILABLE, CONFLICT.
     */
    async pay(userId: string, input: { orderId: string; paymentMethodId?: string }): Promise<PayOutcome> {
      const prepared = await prepare(userId, input).catch((err: unknown) => {
        throw providerFailure(err);
      });

      const { payment, created } = prepared;
      if (!prepared.claimed || !input.paymentMethodId) return { created, payment: toView(payment) };

      const attempt = payment.attempts;
      try {
        const status = await stripe.confirm(
          payment.stripePaymentIntentId,
          input.paymentMethodId,
          `confirm-${payment.id}-${attempt}`,
        );
        // Stripe wants more from the buyer (e.g. 3-D Secure): the attempt is over on our side.
        if (!awaitingVerdict.has(status)) {
          await paymentsRepo.settleAttempt(db, payment.id, attempt, { status: 'requires_payment_method' });
        }
      } catch (err) {
        if (err instanceof CardDeclinedError) {
          await paymentsRepo.settleAttempt(db, payment.id, attempt, {
            status: 'failed',
            lastError: err.reason,
          });
          throw new AppError('PAYMENT_DECLINED', err.reason.message, { declineCode: err.reason.declineCode });
        }
        // Nothing is known to have been charged (a refused request charges nothing): the buyer
        // may try again at once. Should the confirmation have gone through after all, its webhook
        // (or the reconciler) still records it.
        await paymentsRepo.settleAttempt(db, payment.id, attempt, {
          status: payment.lastError ? 'failed' : 'requires_payment_method',
        });
        throw providerFailure(err);
      }
      return { created, payment: toView(await current(payment.orderId)) };
    },

    /** @throws AppError NOT_FOUND unless the order is the user's and has a payment. */
    async get(userId: string, orderId: string): Promise<PaymentView> {
      const order = await ordersRepo.find(db, orderId);
      if (!order || order.userId !== userId) throw notFound('Order');
      const payment = await paymentsRepo.findByOrder(db, orderId);
      if (!payment) throw notFound('Payment');
      return toView(payment);
    },
  };
}

/** The buyer-facing payment rules. */
export type PaymentsService = ReturnType<typeof createPaymentsService>;
