import type { TransactionalConsumer } from '@glotixz/common/bus';
import { orderCancelledSubject } from '@glotixz/common/events';
import type { TicketsTx } from '../db/db';
import { releaseTicket } from '../tickets/reservations';

/**
 * `order.cancelled`: the ticket becomes available again (`ticket.updated`), but only if that order
 * still holds it and has not paid for it; a late cancellation of an older order changes nothing.
 */
export const orderCancelledConsumer: TransactionalConsumer<typeof orderCancelledSubject, TicketsTx, void> = {
  subject: orderCancelledSubject,
  order: 'none',
  async handle(tx, data, { logger }) {
    const outcome = await releaseTicket(tx, data.ticket.id, data.id);
    const context = { ticketId: data.ticket.id, orderId: data.id };
    switch (outcome.status) {
      case 'released':
        logger.info({ ...context, version: outcome.ticket.version }, 'ticket released');
        return;
      case 'not-held':
        logger.info({ ...context, heldBy: outcome.heldBy }, 'ticket not held by this order; left as it is');
        return;
      case 'sold':
        logger.warn(
          context,
          'order.cancelled for the order that bought the ticket; a sold ticket stays sold',
        );
        return;
      case 'unknown-ticket':
        logger.warn(context, 'order.cancelled names a ticket that does not exist; nothing to release');
        return;
    }
  },
};
