import type { TransactionalEventHandler } from '@glotixz/common/bus';
import type { orderCreatedSubject } from '@glotixz/common/events';
import type * as schema from '../db/schema';
import { reserveTicket } from '../tickets/reservations';

/**
 * `order.created`: the order's ticket becomes reserved by it (`ticket.updated`). An unknown ticket
 * is an error, so the message is retried and finally dead-lettered rather than silently dropped.
 */
export const onOrderCreated: TransactionalEventHandler<typeof orderCreatedSubject, typeof schema> = async (
  { data },
  tx,
  { logger },
) => {
  const outcome = await reserveTicket(tx, data.ticket.id, data.id);
  const context = { ticketId: data.ticket.id, orderId: data.id };
  switch (outcome.status) {
    case 'reserved':
      logger.info({ ...context, version: outcome.ticket.version }, 'ticket reserved');
      return;
    case 'already-held':
      logger.info(context, 'ticket already held by this order; nothing to change');
      return;
    case 'unknown-ticket':
      logger.error(context, 'order.created names a ticket that does not exist');
      throw new Error(`ticket ${data.ticket.id} of order ${data.id} does not exist`);
  }
};
