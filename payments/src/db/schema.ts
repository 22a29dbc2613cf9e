import { orderStatuses } from '@glotixz/common/events';
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export { inbox, outbox } from '@glotixz/common/bus';

/**
 * The payment statuses. `processing`: a confirmation was sent and Stripe's verdict (the webhook)
 * is awaited. `failed`: the last attempt was declined; the same PaymentIntent takes another card.
 * `refund_pending`: the charge succeeded but its order was cancelled; the refund worker owes a refund.
 * `canceled`: the order was cancelled before it was paid, and its PaymentIntent canceled at Stripe,
 * so it can no longer be charged.
 */
export const paymentStatuses = [
  'requires_payment_method',
  'processing',
  'succeeded',
  'failed',
  'refund_pending',
  'refunded',
  'canceled',
] as const;

/** The unique constraint that keeps one payment, hence one PaymentIntent, per order (I6). */
export const onePaymentPerOrder = 'payments_order_id_unique';

/** Why the last attempt failed, as the buyer may see it. */
export interface PaymentError {
  /** Stripe's error code, e.g. `card_declined`. */
  code: string | null;
  /** The issuer's reason, e.g. `insufficient_funds`. */
  declineCode: string | null;
  message: string;
}

/**
 * The local replica of the orders service's orders, fed by `order.created`, `order.cancelled` and
 * `order.completed` in version order (I3). The amount to charge comes from here, never from a client.
 */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    status: text('status', { enum: orderStatuses }).notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    version: integer('version').notNull(),
  },
  (t) => [
    check('orders_status_check', sql`${t.status} in ('awaiting_payment', 'cancelled', 'complete')`),
    check('orders_amount_nonnegative', sql`${t.amount} >= 0`),
  ],
);

/** One Stripe PaymentIntent per order, reused across attempts after a decline. */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    stripePaymentIntentId: text('stripe_payment_intent_id').notNull(),
    /** Handed only to the order's buyer, who confirms with it in the browser. */
    clientSecret: text('client_secret').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: paymentStatuses }).notNull(),
    lastError: jsonb('last_error').$type<PaymentError>(),
    /** Server-side confirmations so far; each uses its own idempotency key. */
    attempts: integer('attempts').notNull().default(0),
    /** When the confirmation in flight started; a stale one (crashed process) may be retried. */
    attemptStartedAt: timestamp('attempt_started_at', { withTimezone: true, precision: 3 }),
    succeededAt: timestamp('succeeded_at', { withTimezone: true, precision: 3 }),
    stripeRefundId: text('stripe_refund_id'),
    refundAttempts: integer('refund_attempts').notNull().default(0),
    nextRefundAt: timestamp('next_refund_at', { withTimezone: true, precision: 3 }),
    refundLastError: text('refund_last_error'),
    refundedAt: timestamp('refunded_at', { withTimezone: true, precision: 3 }),
    /** Not before this does the reconciler ask Stripe about this payment again; null: not yet asked. */
    reconcileAt: timestamp('reconcile_at', { withTimezone: true, precision: 3 }),
    /** How often the reconciler has asked Stripe about this payment; its next check backs off. */
    reconcileChecks: integer('reconcile_checks').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex(onePaymentPerOrder).on(t.orderId),
    uniqueIndex('payments_stripe_payment_intent_id_unique').on(t.stripePaymentIntentId),
    uniqueIndex('payments_stripe_refund_id_unique').on(t.stripeRefundId),
    check(
      'payments_status_check',
      sql`${t.status} in ('requires_payment_method', 'processing', 'succeeded', 'failed', 'refund_pending', 'refunded', 'canceled')`,
    ),
    check('payments_amount_nonnegative', sql`${t.amount} >= 0`),
    check(
      'payments_refunded_has_refund_id',
      sql`${t.status} <> 'refunded' or ${t.stripeRefundId} is not null`,
    ),
    // The refund worker's queue: small, and scanned on every poll.
    index('payments_refund_pending_idx')
      .on(t.nextRefundAt)
      .where(sql`status = 'refund_pending'`),
    // The reconciler's candidates: payments Stripe may have settled without telling us.
    index('payments_open_idx')
      .on(t.createdAt)
      .where(sql`status in ('requires_payment_method', 'processing', 'failed')`),
  ],
);

/** Every Stripe event handled, by its id: a webhook delivered again changes nothing (I2 for Stripe). */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

export type OrderRow = typeof orders.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
export type PaymentStatus = (typeof paymentStatuses)[number];
