import { RetryLater, type TransactionalConsumer } from '@glotixz/common/bus';
import { orderCreatedSubject } from '@glotixz/common/events';
import type { TicketsTx } from '../db/db';
import { reserveTicket, type ReserveOutcome } from '../tickets/reservations';

/** How long an order waits while another order still holds its ticket. */
export const HELD_BY_ANOTHER_RETRY_MS = 1_000;

/** What the log says of each outcome that leaves the message acked. */
const settled = {
  reserved: 'ticket reserved',
  sold: 'ticket reserved by an order already paid; sold',
  'already-held': 'ticket already held by this order; nothing to change',
  'order-cancelled': 'order was cancelled before its creation arrived; ticket left as it is',
} as const satisfies Partial<Record<ReserveOutcome['status'], string>>;

/**
 * `order.created`: the order's ticket becomes reserved by it at the order's terms (`ticket.updated`),
 * or sold if the order's `order.completed` was handled first. While another
 * order holds the ticket the message is retried: one of the two orders is cancelled and its
 * `order.cancelled` decides. An unknown ticket is an error, so the message is retried and finally
 * dead-lettered rather than dropped.
 */
export const orderCreatedConsumer: TransactionalConsumer<typeof orderCreatedSubject, TicketsTx, void> = {
  subject: orderCreatedSubject,
  order: 'none',
  async handle(tx, data, { logger }) {
    const { title, price, currency } = data.ticket;
    const outcome = await reserveTicket(tx, data.ticket.id, data.id, { title, price, currency });
    const context = { ticketId: data.ticket.id, orderId: data.id };
    if (outcome.status === 'held-by-another') {
      logger.info({ ...context, heldBy: outcome.heldBy }, 'ticket held by another order; waiting');
      throw new RetryLater(
        HELD_BY_ANOTHER_RETRY_MS,
        `ticket ${data.ticket.id} is held by order ${outcome.heldBy}`,
      );
    }
    if (outcome.status === 'unknown-ticket') {
      logger.error(context, 'order.created names a ticket that does not exist');
      throw new Error(`ticket ${data.ticket.id} of order ${data.id} does not exist`);
    }
    const version = 'ticket' in outcome ? outcome.ticket.version : undefined;
    logger.info({ ...context, version }, settled[outcome.status]);
  },
};
