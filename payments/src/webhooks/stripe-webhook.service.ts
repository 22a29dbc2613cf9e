import { AppError } from '@glotixz/common/errors';
import { inContinuedTrace } from '@glotixz/common/tracing';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { PaymentsDb, PaymentsTx } from '../db/db';
import type { OrderRow, PaymentRow } from '../db/schema';
import { ordersRepo } from '../orders/orders.repo';
import { recordStripeCharge } from '../payments/charge';
import type { PaymentMetrics } from '../payments/payment-metrics';
import { paymentsRepo } from '../payments/payments.repo';
import type { WebhookAck } from '../payments/payments.schemas';
import type { RefundTrigger } from '../refunds/refund-worker';
import { stripeSdk } from '../stripe/stripe.client';
import { paymentErrorOf, type StripeGateway } from '../stripe/stripe.gateway';
import { stripeEventsRepo } from './stripe-events.repo';
import { accountsRepo } from '../payouts/accounts.repo';
import type { Clock } from '../payouts/clock';
import { salesRepo } from '../payouts/sales.repo';
import { accountStatusOf } from '../payouts/payouts.service';
import type { SaleRefunder } from '../payouts/refund-sale';

/** What {@link createWebhookService} needs. */
export interface WebhookServiceDeps {
  db: PaymentsDb;
  stripe: Pick<StripeGateway, 'verifyWebhook'>;
  /** The signing secret of the platform's webhook endpoint (events of our own account). */
  webhookSecret: string;
  /**
   * The signing secret of the Connect webhook endpoint, which Stripe sends the events of the
   * sellers' connected accounts to (`account.updated`). Unset: only `webhookSecret` is accepted.
   */
  connectWebhookSecret?: string;
  logger: Logger;
  metrics: Pick<PaymentMetrics, 'succeeded' | 'declined'>;
  refunds: RefundTrigger;
  /** The one refund path, for a refund made in Stripe's dashboard (`charge.refunded`). */
  refunder: Pick<SaleRefunder, 'refundSale'>;
  /** Woken when a seller's account becomes enabled. */
  payouts?: { wake(): void };
  /** How long after its event starts a sale is paid out. */
  payoutHoldSeconds: number;
  /** The payout clock a sale's transfer is scheduled by. */
  clock: Clock;
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

/** Which of Stripe's webhook endpoints signed a delivery: the platform's own, or the Connect one. */
type Endpoint = 'platform' | 'connect';

const stripeId = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/);

/** What this service reads of an `account.updated` event. */
const accountEventShape = z.object({
  id: stripeId,
  created: z.number().int().nonnegative(),
  data: z.object({
    object: z.object({
      id: stripeId,
      payouts_enabled: z.boolean().nullish(),
      capabilities: z.object({ transfers: z.string().nullish() }).partial().nullish(),
      requirements: z.object({ disabled_reason: z.string().nullish() }).partial().nullish(),
    }),
  }),
});

/** Every event of a Connect endpoint names the connected account it happened on. */
const connectEventShape = z.object({
  id: stripeId,
  type: z.string(),
  account: stripeId.startsWith('acct_'),
});

/** What this service reads of a `charge.refunded` event. */
const chargeEventShape = z.object({
  id: stripeId,
  data: z.object({ object: z.object({ id: stripeId, payment_intent: stripeId.nullish() }) }),
});

/**
 * What this service reads of a PaymentIntent event. Stripe never signs one without it, but a
 * signed body is still input: one that lacks it is answered 400, not a crash.
 */
const intentEventShape = z.object({
  id: stripeId,
  data: z.object({
    object: z.object({
      id: stripeId,
      metadata: z.record(z.string(), z.string()).nullish(),
      latest_charge: z.union([stripeId, z.object({ id: stripeId })]).nullish(),
    }),
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
  connectWebhookSecret,
  logger,
  metrics,
  refunds,
  refunder,
  payouts,
  payoutHoldSeconds,
  clock,
}: WebhookServiceDeps) {
  const log = logger.child({ component: 'stripe-webhook' });

  const endpoints: { endpoint: Endpoint; secret: string }[] = [
    { endpoint: 'platform', secret: webhookSecret },
    ...(connectWebhookSecret ? [{ endpoint: 'connect' as const, secret: connectWebhookSecret }] : []),
  ];

  /** Verifies the body with each endpoint's secret in turn; answers the event and who signed it. */
  function verify(
    rawBody: unknown,
    signature: string | undefined,
  ): { event: Stripe.Event; endpoint: Endpoint } {
    if (!Buffer.isBuffer(rawBody)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the Stripe event as application/json');
    }
    if (!signature) throw new AppError('INVALID_SIGNATURE', 'The Stripe-Signature header is missing');
    for (const { endpoint, secret } of endpoints) {
      try {
        return { event: stripe.verifyWebhook(rawBody, signature, secret), endpoint };
      } catch (err) {
        if (!(err instanceof stripeSdk().errors.StripeSignatureVerificationError)) throw err;
      }
    }
    throw new AppError(
      'INVALID_SIGNATURE',
      'The Stripe signature does not match the body, or is more than 5 minutes old',
    );
  }

  /**
   * An event of a connected account, from the Connect endpoint: only `account.updated` is ours to
   * act on, and only about the account it came from. Payments and charges made on a seller's own
   * account are not the platform's (we charge on the platform and transfer), so they are ignored.
   */
  async function onConnectEvent(event: object): Promise<WebhookAck> {
    const parsed = connectEventShape.safeParse(event);
    if (!parsed.success) {
      throw new AppError('BAD_REQUEST', 'The Connect event lacks its id, its type or its connected account');
    }
    const { id, type, account } = parsed.data;
    if (type !== 'account.updated') {
      log.debug({ eventId: id, type, account }, 'Connect event type not handled; ignored');
      return { received: true, duplicate: false };
    }
    const update = accountEventShape.safeParse(event);
    if (!update.success) throw new AppError('BAD_REQUEST', 'The account.updated event lacks its Account');
    if (update.data.data.object.id !== account) {
      throw new AppError('BAD_REQUEST', 'The account.updated event is about another account than its own');
    }
    return { received: true, duplicate: await onAccountUpdated(update.data) };
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
    const charge = event.data.object.latest_charge;
    const chargeId = typeof charge === 'string' ? charge : (charge?.id ?? null);
    return once(event, (tx, payment, order) =>
      recordStripeCharge(tx, payment, order, payoutHoldSeconds, clock, chargeId),
    );
  }

  function onFailed(event: Stripe.PaymentIntentPaymentFailedEvent): Promise<Outcome> {
    return once(event, async (tx, payment) => {
      const reason = paymentErrorOf(event.data.object.last_payment_error ?? {});
      const changed = await paymentsRepo.recordFailure(tx, payment.id, reason);
      return changed ? { kind: 'failed', payment } : { kind: 'unchanged', payment };
    });
  }

  /** `account.updated`: keeps the seller's account status, newest event first. */
  async function onAccountUpdated(event: z.infer<typeof accountEventShape>): Promise<boolean> {
    const account = event.data.object;
    const status = accountStatusOf(account);
    const applied = await db.transaction(async (tx) => {
      if (!(await stripeEventsRepo.record(tx, event.id, 'account.updated'))) return null;
      return accountsRepo.applyStatus(tx, account.id, status, new Date(event.created * 1000));
    });
    if (applied === null) return true;
    log.info({ eventId: event.id, accountId: account.id, status, applied }, 'connected account updated');
    if (applied && status === 'enabled') payouts?.wake();
    return false;
  }

  /**
   * `charge.refunded`: a refund made at Stripe (in its dashboard) goes through `refundSale`, which
   * reverses the seller's transfer first and records the refund; Stripe is called outside any
   * transaction, and the event is recorded after, so a failure is retried by Stripe's redelivery.
   * A payment our refund worker or a `refundSale` is refunding is left to it.
   */
  async function onChargeRefunded(event: z.infer<typeof chargeEventShape>): Promise<boolean> {
    if (await stripeEventsRepo.seen(db, event.id)) return true;
    const charge = event.data.object;
    const payment = charge.payment_intent ? await paymentsRepo.findByIntent(db, charge.payment_intent) : null;
    if (!payment) {
      log.warn({ eventId: event.id, chargeId: charge.id }, 'refund of a charge that is not ours; ignored');
    } else if (payment.status === 'refund_pending') {
      refunds.wake();
    } else if ((await salesRepo.find(db, payment.orderId))?.refundRequestedAt) {
      // Our own refundSale is under way (this is its refund's event); its caller finishes it.
      log.info({ eventId: event.id, orderId: payment.orderId }, 'charge refunded by refundSale');
    } else {
      const outcome = await refunder.refundSale(payment.orderId, 'refunded_at_stripe', {
        madeAtStripe: { reference: charge.id },
      });
      log.info({ eventId: event.id, orderId: payment.orderId, outcome }, 'charge refunded at Stripe');
    }
    const recorded = await db.transaction((tx) => stripeEventsRepo.record(tx, event.id, 'charge.refunded'));
    return !recorded;
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
     * Verifies and handles one delivery, signed for the platform's endpoint or the Connect one.
     * @throws AppError INVALID_SIGNATURE for a body signed with neither secret, a stale or an unsigned one,
     * UNSUPPORTED_MEDIA_TYPE when the body is not JSON, BAD_REQUEST for a signed body that is not
     * an event, or a PaymentIntent event without its ids.
     */
    async receive(rawBody: unknown, signature: string | undefined): Promise<WebhookAck> {
      const { event, endpoint } = verify(rawBody, signature);
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        throw new AppError('BAD_REQUEST', 'The Stripe event is not an object');
      }
      if (endpoint === 'connect') return onConnectEvent(event);
      const handled =
        event.type === 'payment_intent.succeeded' || event.type === 'payment_intent.payment_failed';
      if (handled && !intentEventShape.safeParse(event).success) {
        throw new AppError('BAD_REQUEST', `The ${event.type} event lacks its id or its PaymentIntent`);
      }
      if (event.type === 'account.updated') {
        const parsed = accountEventShape.safeParse(event);
        if (!parsed.success) throw new AppError('BAD_REQUEST', 'The account.updated event lacks its Account');
        return { received: true, duplicate: await onAccountUpdated(parsed.data) };
      }
      if (event.type === 'charge.refunded') {
        const parsed = chargeEventShape.safeParse(event);
        if (!parsed.success) throw new AppError('BAD_REQUEST', 'The charge.refunded event lacks its Charge');
        return { received: true, duplicate: await onChargeRefunded(parsed.data) };
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
