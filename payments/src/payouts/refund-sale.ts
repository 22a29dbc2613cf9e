import type { Logger } from 'pino';
import type { PaymentsDb, PaymentsTx } from '../db/db';
import type { PaymentRow, SaleRow } from '../db/schema';
import { accounts, book, chargeEntries, type Entry } from '../ledger/ledger';
import { paymentsRepo } from '../payments/payments.repo';
import { InvalidStripeRequestError, type StripeGateway, type TransferState } from '../stripe/stripe.gateway';
import { salesRepo } from './sales.repo';

/** The Stripe calls a refund of a sale makes. */
export type RefundStripe = Pick<StripeGateway, 'refund' | 'refundsOf' | 'transfersOf' | 'reverseTransfer'>;

/** What {@link createSaleRefunder} needs. */
export interface SaleRefunderDeps {
  db: PaymentsDb;
  stripe: RefundStripe;
  logger: Logger;
}

/** How a refund was made. */
export interface RefundSaleOptions {
  /**
   * Stripe told of a refund (`charge.refunded`): ours, whose record may still be on its way, or
   * one made in Stripe's dashboard. The refund is asked with our key all the same (ours: Stripe
   * answers it again); when Stripe answers that the charge is refunded already (the dashboard's),
   * it is recorded under `reference` (the charge's id).
   */
  madeAtStripe?: { reference: string };
}

/** One Stripe refund of a charge and its amount: one ledger transaction each. */
export interface RefundPart {
  reference: string;
  amount: number;
}

/**
 * Splits `undone` (the entries that take a whole charge back: the balance's outflow and what
 * each other account gives back) into one balanced set of entries per part, in integer minor
 * units: part i takes `amount_i` from the balance and, from every other account, its share
 * `amount_i / Σ amounts` rounded down, the rounding put on the largest account; the last part takes
 * what is left, so the parts sum to `undone` exactly. Null when the parts do not add up to the
 * balance's outflow.
 */
export function splitRefund(undone: readonly Entry[], parts: readonly RefundPart[]): Entry[][] | null {
  const total = parts.reduce((sum, part) => sum + part.amount, 0);
  const balance = undone.find((entry) => entry.account === accounts.stripeBalance);
  if (!balance || -balance.amount !== total || parts.some((part) => part.amount <= 0)) return null;
  if (parts.length === 1) return [undone.map((entry) => ({ ...entry }))];
  const others = undone.filter((entry) => entry !== balance);
  const left = new Map(others.map((entry) => [entry.account, entry.amount]));
  return parts.map((part, index) => {
    if (index === parts.length - 1) {
      return [
        { account: accounts.stripeBalance, amount: -part.amount },
        ...others.map((entry) => ({ account: entry.account, amount: left.get(entry.account)! })),
      ];
    }
    const shares = others.map((entry) => ({
      account: entry.account,
      amount: Math.floor((entry.amount * part.amount) / total),
    }));
    const largest = shares.reduce((a, b) => (Math.abs(b.amount) > Math.abs(a.amount) ? b : a));
    largest.amount += part.amount - shares.reduce((sum, share) => sum + share.amount, 0);
    for (const share of shares) left.set(share.account, left.get(share.account)! - share.amount);
    return [{ account: accounts.stripeBalance, amount: -part.amount }, ...shares];
  });
}

/** What refunding did. */
export type RefundSaleOutcome = 'refunded' | 'already-refunded' | 'not-refundable';

/**
 * Records and books a transfer the worker made but did not record (it crashed, or a refund raced
 * it); booking is once per transfer, whatever the sale's status.
 */
async function recordTransfer(tx: PaymentsTx, sale: SaleRow, transfer: TransferState): Promise<void> {
  await salesRepo.markPaid(tx, sale.orderId, transfer.id);
  await book(tx, {
    kind: 'transfer',
    reference: transfer.id,
    orderId: sale.orderId,
    currency: transfer.currency,
    entries: [
      { account: accounts.sellerPayable(sale.sellerId), amount: transfer.amount },
      { account: accounts.stripeBalance, amount: -transfer.amount },
    ],
  });
}

/**
 * The one refund of a sale, used by every refund path (the refund worker, Stripe's
 * `charge.refunded`, support). Stripe is never called inside a transaction:
 * 1. the sale is marked as refunding, so no transfer starts from then on;
 * 2. every transfer of the order's group (asked of Stripe, so one the worker made but never
 *    recorded is found too) is reversed first, key `reversal-<orderId>`, and booked;
 * 3. the buyer is refunded in full, key `refund-<paymentId>`;
 * 4. one transaction records the refund (`refunded`, `payment.refunded` through the outbox),
 *    books it (the charge's entries, negated), and marks the sale `reversed`.
 * Every step is idempotent: a crash anywhere is repaired by calling it again.
 */
export function createSaleRefunder({ db, stripe, logger }: SaleRefunderDeps) {
  const log = logger.child({ component: 'refund-sale' });

  /** Reverses the order's transfers (step 2); answers how many were reversed now. */
  async function reverseTransfers(orderId: string): Promise<number> {
    const sale = await salesRepo.find(db, orderId);
    if (!sale) return 0;
    const transfers = await stripe.transfersOf(orderId);
    let reversed = 0;
    for (const transfer of transfers) {
      if (transfer.amountReversed >= transfer.amount) continue;
      const reversal = await stripe.reverseTransfer({ orderId, transferId: transfer.id });
      await db.transaction(async (tx) => {
        await recordTransfer(tx, sale, transfer);
        await salesRepo.recordReversal(tx, orderId, reversal.id);
        await book(tx, {
          kind: 'reversal',
          reference: reversal.id,
          orderId,
          currency: transfer.currency,
          entries: [
            { account: accounts.stripeBalance, amount: reversal.amount },
            { account: accounts.sellerPayable(sale.sellerId), amount: -reversal.amount },
          ],
        });
      });
      reversed += 1;
      log.info({ orderId, transferId: transfer.id, reversalId: reversal.id }, 'payout reversed');
    }
    return reversed;
  }

  /**
   * The refunds that make up the charge's, as Stripe lists them (a part made in the dashboard and
   * the rest made here, say), oldest first; or the one refund `refundId` for the whole charge
   * when Stripe's list does not add up to it.
   */
  async function refundParts(payment: PaymentRow, refundId: string): Promise<RefundPart[]> {
    const listed = (await stripe.refundsOf(payment.stripePaymentIntentId))
      .filter((refund) => refund.status !== 'failed' && refund.status !== 'canceled')
      .reverse();
    const total = listed.reduce((sum, refund) => sum + refund.amount, 0);
    if (listed.length > 0 && total === payment.amount) {
      return listed.map((refund) => ({ reference: refund.id, amount: refund.amount }));
    }
    log.warn(
      { orderId: payment.orderId, refundId, listed: listed.length, total, amount: payment.amount },
      "Stripe's refunds of the charge do not add up to it; booking the whole under one refund",
    );
    return [{ reference: refundId, amount: payment.amount }];
  }

  async function recordRefund(
    payment: PaymentRow,
    refundId: string,
    reason: string,
    parts: RefundPart[],
  ): Promise<boolean> {
    return db.transaction(async (tx) => {
      const recorded = await paymentsRepo.markRefunded(tx, payment, refundId, reason);
      if (!recorded) return false;
      const charge = await chargeEntries(tx, payment.orderId);
      const undone =
        charge.length > 0
          ? charge.map((entry) => ({ account: entry.account, amount: -entry.amount }))
          : [
              { account: accounts.stripeBalance, amount: -payment.amount },
              { account: accounts.unallocated, amount: payment.amount },
            ];
      // One transaction per Stripe refund; the whole under `refundId` if they cannot be split.
      const split = splitRefund(undone, parts);
      const bookings = split
        ? split.map((entries, index) => ({ reference: parts[index]!.reference, entries }))
        : [{ reference: refundId, entries: undone }];
      for (const { reference, entries } of bookings) {
        await book(tx, {
          kind: 'refund',
          reference,
          orderId: payment.orderId,
          currency: payment.currency,
          entries,
        });
      }
      await salesRepo.markReversed(tx, payment.orderId);
      return true;
    });
  }

  /**
   * Refunds the order's buyer in full, reversing the seller's transfer first if there is one.
   * @throws the gateway's errors (ProviderUnavailableError, InvalidStripeRequestError): the caller
   * retries, and the retry picks up where this one stopped.
   */
  async function refundSale(
    orderId: string,
    reason: string,
    options: RefundSaleOptions = {},
  ): Promise<RefundSaleOutcome> {
    const payment = await paymentsRepo.findByOrder(db, orderId);
    if (!payment) return 'not-refundable';
    if (payment.status === 'refunded') {
      // Recorded already; a transfer that landed after the refund is still reversed.
      await reverseTransfers(orderId);
      return 'already-refunded';
    }
    if (payment.status !== 'succeeded' && payment.status !== 'refund_pending') return 'not-refundable';
    await db.transaction((tx) => salesRepo.requestRefund(tx, orderId));
    await reverseTransfers(orderId);
    let refundId: string;
    try {
      ({ id: refundId } = await stripe.refund({
        paymentId: payment.id,
        orderId,
        intentId: payment.stripePaymentIntentId,
        reason,
      }));
    } catch (err) {
      const refundedElsewhere =
        err instanceof InvalidStripeRequestError && err.code === 'charge_already_refunded';
      if (!refundedElsewhere || !options.madeAtStripe) throw err;
      refundId = options.madeAtStripe.reference;
    }
    const recorded = await recordRefund(payment, refundId, reason, await refundParts(payment, refundId));
    if (recorded) {
      log.info({ orderId, paymentId: payment.id, refundId, amount: payment.amount, reason }, 'sale refunded');
    }
    return recorded ? 'refunded' : 'already-refunded';
  }

  return { refundSale, reverseTransfers };
}

/** The refund of a sale. */
export type SaleRefunder = ReturnType<typeof createSaleRefunder>;
