import { AppError } from '@glotixz/common/errors';
import { inContinuedTrace } from '@glotixz/common/tracing';
import type { Logger } from 'pino';
import Stripe from 'stripe';
import { z } from 'zod';
import type { PaymentsDb, PaymentsTx } from '../db/db';
import type { OrderRow, PaymentRow } from '../db/schema';
import { ordersRepo } from '../orders/orders.repo';
import { recordStripeCharge } from '../payments/charge';
import type { PaymentMetrics } from '../payments/payment-metrics';
import { paymentsRepo } from '../payments/payments.repo';
import type { WebhookAck } from '../payments/payments.schemas';
import type { RefundTrigger } from '../refunds/refund-worker';
import { paymentErrorOf, type StripeGateway } from '../stripe/stripe.gateway';
import { stripeEventsRepo } from './stripe-events.repo';

/** What {@link createWebhookService} needs. */
export interface WebhookServiceDeps {
  db: PaymentsDb;
  stripe: Pick<StripeGateway, 'verifyWebhook'>;
  webhookSecret: string;
  logger: Logger;
  metrics: Pick<PaymentMetrics, 'succeeded' | 'declined'>;
  refunds: RefundTrigger;
}

/** What handling one event did. */
type Outcome =
  | { kind: 'duplicate' }
  /** No payment of ours has this PaymentIntent. */
  | { kind: 'unknown' }
  /** The payment had already reached a state this event cannot change. */
  | { kind: 'unchanged'; payment: PaymentRow }
  | { kind: 'succeeded' | 'refund-due' | 'failed'; payment: PaymentRow };

type IntentEvent = Stripe.PaymentIntentSucceededEvent | Stripe.PaymentIntentPaymentFailedEvent;

const stripeId = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/);

/**
 * What this service reads of a PaymentIntent event. Stripe never signs one without it, but a
 * signed body is still input: one that lacks it is answered 400, not a crash.
 */
const intentEventShape = z.object({
  id: stripeId,
  data: z.object({
    object: z.object({ id: stripeId, metadata: z.record(z.string(), z.string()).nullish() }),
  }),
});

/**
 * Stripe's webhook: the single source of truth for how a payment ended. Each event is verified on
 * its raw body, and recorded in `stripe_events` in the same transaction as its effect, so a replay
 * changes nothing; a payment never moves back from succeeded.
 */
export function createWebhookService({
  db,
  stripe,
  webhookSecret,
  logger,
  metrics,
  refunds,
}: WebhookServiceDeps) {
  const log = logger.child({ component: 'stripe-webhook' });

  function verify(rawBody: unknown, signature: string | undefined): Stripe.Event {
    if (!Buffer.isBuffer(rawBody)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the Stripe event as application/json');
    }
    if (!signature) throw new AppError('INVALID_SIGNATURE', 'The Stripe-Signature header is missing');
    try {
      return stripe.verifyWebhook(rawBody, signature, webhookSecret);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
        throw new AppError(
          'INVALID_SIGNATURE',
          'The Stripe signature does not match the body, or is more than 5 minutes old',
        );
      }
      throw err;
    }
  }

  /** Runs `apply` once per event id, with the order of the event's payment locked. */
  async function once(
    event: IntentEvent,
    apply: (tx: PaymentsTx, payment: PaymentRow, order: OrderRow | null) => Promise<Outcome>,
  ): Promise<Outcome> {
    return db.transaction(async (tx): Promise<Outcome> => {
      if (!(await stripeEventsRepo.record(tx, event.id, event.type))) return { kind: 'duplicate' };
      const payment = await paymentsRepo.findByIntent(tx, event.data.object.id);
      if (!payment) return { kind: 'unknown' };
      // Order first, then payment: the lock order every path follows.
      const locked = await ordersRepo.lock(tx, payment.orderId);
      return apply(tx, payment, locked?.order ?? null);
    });
  }

  function onSucceeded(event: Stripe.PaymentIntentSucceededEvent): Promise<Outcome> {
    return once(event, (tx, payment, order) => recordStripeCharge(tx, payment, order));
  }

  function onFailed(event: Stripe.PaymentIntentPaymentFailedEvent): Promise<Outcome> {
    return once(event, async (tx, payment) => {
      const reason = paymentErrorOf(event.data.object.last_payment_error ?? {});
      const changed = await paymentsRepo.recordFailure(tx, payment.id, reason);
      return changed ? { kind: 'failed', payment } : { kind: 'unchanged', payment };
    });
  }

  function report(event: IntentEvent, outcome: Outcome): void {
    const context = { eventId: event.id, type: event.type, paymentIntentId: event.data.object.id };
    switch (outcome.kind) {
      case 'duplicate':
        log.info(context, 'Stripe event already handled');
        return;
      case 'unknown':
        log.warn(context, 'Stripe event for a PaymentIntent that is not ours; ignored');
        return;
      case 'unchanged':
        log.info({ ...context, status: outcome.payment.status }, 'Stripe event changes nothing');
        return;
      case 'succeeded':
        metrics.succeeded.inc();
        log.info({ ...context, paymentId: outcome.payment.id }, 'payment succeeded');
        return;
      case 'refund-due':
        metrics.succeeded.inc();
        refunds.wake();
        log.warn(
          { ...context, paymentId: outcome.payment.id, orderId: outcome.payment.orderId },
          'payment succeeded after its order was cancelled; refunding',
        );
        return;
      case 'failed':
        metrics.declined.inc();
        log.info({ ...context, paymentId: outcome.payment.id }, 'payment attempt declined');
        return;
    }
  }

  return {
    /**
     * Verifies and handles one delivery.
     * @throws AppError INVALID_SIGNATURE for a forged, stale or unsigned body,
     * UNSUPPORTED_MEDIA_TYPE when the body is not JSON, BAD_REQUEST for a signed body that is not
     * an event, or a PaymentIntent event without its ids.
     */
    async receive(rawBody: unknown, signature: string | undefined): Promise<WebhookAck> {
      const event = verify(rawBody, signature);
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        throw new AppError('BAD_REQUEST', 'The Stripe event is not an object');
      }
      const handled =
        event.type === 'payment_intent.succeeded' || event.type === 'payment_intent.payment_failed';
      if (handled && !intentEventShape.safeParse(event).success) {
        throw new AppError('BAD_REQUEST', `The ${event.type} event lacks its id or its PaymentIntent`);
      }
      let handle: () => Promise<Outcome>;
      switch (event.type) {
        case 'payment_intent.succeeded':
          handle = () => onSucceeded(event);
          break;
        case 'payment_intent.payment_failed':
          handle = () => onFailed(event);
          break;
        default:
          log.debug({ eventId: event.id, type: event.type }, 'Stripe event type not handled; ignored');
          return { received: true, duplicate: false };
      }
      // The purchase's trace, kept in the PaymentIntent's metadata, goes on through the events the
      // payment causes; this delivery's request span is linked to it.
      const outcome = await inContinuedTrace(`stripe ${event.type}`, event.data.object.metadata, handle, {
        attributes: { 'stripe.event.id': event.id, 'stripe.payment_intent.id': event.data.object.id },
      });
      report(event, outcome);
      return { received: true, duplicate: outcome.kind === 'duplicate' };
    },
  };
}

/** Stripe's webhook handling. */
export type WebhookService = ReturnType<typeof createWebhookService>;
