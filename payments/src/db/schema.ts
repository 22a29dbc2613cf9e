import { orderStatuses } from '@glotixz/common/events';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
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
    /** What the buyer is charged: the order's `ticket.total` (its price on events before fees). */
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    version: integer('version').notNull(),
    /** The listed price, which the seller receives; null on rows from before payouts (= amount). */
    price: bigint('price', { mode: 'number' }),
    /** The platform fee (amount - price); null on rows from before payouts (0). */
    fee: bigint('fee', { mode: 'number' }),
    title: text('title'),
    /** The seller; null on events before payouts (no payout is made for such an order). */
    sellerId: uuid('seller_id'),
    eventId: uuid('event_id'),
    eventStartsAt: timestamp('event_starts_at', { withTimezone: true, precision: 3 }),
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
    /**
     * The PaymentIntent's succeeded Charge (`latest_charge`): the seller's transfer names it as its
     * `source_transaction`. Null until the charge is recorded, and on rows from before it was kept.
     */
    stripeChargeId: text('stripe_charge_id'),
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
    // The ledger reconciler's window: the payments changed lately.
    index('payments_updated_idx').on(t.updatedAt),
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

/** A seller's Stripe connected account, as `account.updated` last told it. */
export const sellerAccountStatuses = ['pending', 'enabled', 'restricted'] as const;
export type SellerAccountStatus = (typeof sellerAccountStatuses)[number];

/** One Express connected account per seller (created with the idempotency key `account-<userId>`). */
export const sellerAccounts = pgTable(
  'seller_accounts',
  {
    userId: uuid('user_id').primaryKey(),
    stripeAccountId: text('stripe_account_id').notNull(),
    status: text('status', { enum: sellerAccountStatuses }).notNull().default('pending'),
    /** `created` of the Stripe event that set the status: an older event never overwrites it. */
    statusAt: timestamp('status_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('seller_accounts_stripe_account_id_unique').on(t.stripeAccountId),
    check('seller_accounts_status_check', sql`${t.status} in ('pending', 'enabled', 'restricted')`),
  ],
);

/**
 * The stored statuses of a sale. `scheduled`: the transfer is owed at `transfer_at` (shown as
 * `pending` while the seller has no enabled account). `paid`: transferred. `reversed`: refunded to
 * the buyer (and the transfer reversed, if there was one). `failed`: the last transfer attempt
 * failed; retried at `next_attempt_at`.
 */
export const saleStatuses = ['scheduled', 'paid', 'reversed', 'failed'] as const;
export type SaleStatus = (typeof saleStatuses)[number];

/** One sale per paid order with a seller: what the seller is owed and its transfer. */
export const sales = pgTable(
  'sales',
  {
    orderId: uuid('order_id')
      .primaryKey()
      .references(() => orders.id),
    sellerId: uuid('seller_id').notNull(),
    title: text('title'),
    gross: bigint('gross', { mode: 'number' }).notNull(),
    fee: bigint('fee', { mode: 'number' }).notNull(),
    net: bigint('net', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: saleStatuses }).notNull().default('scheduled'),
    transferAt: timestamp('transfer_at', { withTimezone: true, precision: 3 }).notNull(),
    /** Not before this is the transfer tried (again): a claim's lease, or a failure's backoff. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    stripeTransferId: text('stripe_transfer_id'),
    paidAt: timestamp('paid_at', { withTimezone: true, precision: 3 }),
    /** Set by `refundSale`: no transfer is started from then on. */
    refundRequestedAt: timestamp('refund_requested_at', { withTimezone: true, precision: 3 }),
    stripeReversalId: text('stripe_reversal_id'),
    reversedAt: timestamp('reversed_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('sales_seller_idx').on(t.sellerId, t.createdAt),
    // The ledger reconciler's window: the sales changed lately.
    index('sales_updated_idx').on(t.updatedAt),
    index('sales_due_idx')
      .on(t.transferAt)
      .where(sql`status in ('scheduled', 'failed')`),
    uniqueIndex('sales_stripe_transfer_id_unique').on(t.stripeTransferId),
    check('sales_status_check', sql`${t.status} in ('scheduled', 'paid', 'reversed', 'failed')`),
    check('sales_amounts_check', sql`${t.net} >= 0 and ${t.fee} >= 0 and ${t.gross} = ${t.net} + ${t.fee}`),
  ],
);

/**
 * The ledger (I10): one transaction per money movement, recorded in the same database
 * transaction as the movement's own record. `kind` + `reference` is unique, so a movement is
 * never booked twice.
 */
export const ledgerTransactions = pgTable(
  'ledger_transactions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** `charge`, `transfer`, `reversal` or `refund`. */
    kind: text('kind').notNull(),
    /** The Stripe object the movement is (PaymentIntent, Transfer, reversal, Refund id). */
    reference: text('reference').notNull(),
    orderId: uuid('order_id'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ledger_transactions_kind_reference_unique').on(t.kind, t.reference),
    index('ledger_transactions_order_idx').on(t.orderId),
  ],
);

/** The entries of a ledger transaction; per transaction and currency they sum to zero (trigger). */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    transactionId: uuid('transaction_id')
      .notNull()
      .references(() => ledgerTransactions.id),
    account: text('account').notNull(),
    currency: text('currency').notNull(),
    /** Signed minor units: positive debits, negative credits. */
    amount: bigint('amount', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('ledger_entries_transaction_idx').on(t.transactionId),
    index('ledger_entries_account_idx').on(t.account),
  ],
);

export type OrderRow = typeof orders.$inferSelect;
export type SellerAccountRow = typeof sellerAccounts.$inferSelect;
export type SaleRow = typeof sales.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
export type PaymentStatus = (typeof paymentStatuses)[number];
