import type { TransactionalConsumer } from '@glotixz/common/bus';
import { orderCompletedSubject } from '@glotixz/common/events';
import type { TicketsTx } from '../db/db';
import { sellTicket } from '../tickets/reservations';

/**
 * `order.completed`: the ticket held by that order becomes sold (`ticket.updated`) and stays with
 * it for good. If the order does not hold the ticket yet (its `order.created` has not been handled,
 * e.g. it waits for an older order's cancellation), the completion is recorded and the later
 * reservation marks the ticket sold; any other case changes nothing.
 */
export const orderCompletedConsumer: TransactionalConsumer<typeof orderCompletedSubject, TicketsTx, void> = {
  subject: orderCompletedSubject,
  order: 'none',
  async handle(tx, data, { logger }) {
    const outcome = await sellTicket(tx, data.ticket.id, data.id);
    const context = { ticketId: data.ticket.id, orderId: data.id };
    switch (outcome.status) {
      case 'sold':
        logger.info({ ...context, version: outcome.ticket.version }, 'ticket sold');
        return;
      case 'already-sold':
        logger.info(context, 'ticket already sold to this order; nothing to change');
        return;
      case 'not-held':
        logger.info(
          { ...context, heldBy: outcome.heldBy },
          'ticket not held by this order; completion recorded for its reservation',
        );
        return;
      case 'unknown-ticket':
        logger.warn(context, 'order.completed names a ticket that does not exist; nothing to sell');
        return;
    }
  },
};
