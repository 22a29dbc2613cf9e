import { backoffDelay, inboxHandler, RetryLater, type EventHandler } from '@glotixz/common/bus';
import type { ticketCreatedSubject, ticketUpdatedSubject } from '@glotixz/common/events';
import type { OrdersDb } from '../db/db';
import { ticketsRepo } from './tickets.repo';

/** How long an early `ticket.updated` waits before it is tried again: 250 ms doubling up to 5 s. */
const predecessorBackoff = { baseMs: 250, capMs: 5_000 };

/** `ticket.created`: adds the ticket to the replica; a repeat changes nothing. */
export function onTicketCreated(db: OrdersDb): EventHandler<typeof ticketCreatedSubject> {
  return inboxHandler(db, async (envelope, tx, context) => {
    const inserted = await ticketsRepo.insertCreated(tx, envelope.data);
    context.logger.debug({ ticketId: envelope.data.id, inserted }, 'ticket.created handled');
  });
}

/**
 * `ticket.updated`: applies version n on top of n-1 (I3). An older or equal version is acked as
 * already seen; a newer one is redelivered later, until its predecessor has arrived.
 */
export function onTicketUpdated(db: OrdersDb): EventHandler<typeof ticketUpdatedSubject> {
  return inboxHandler(db, async (envelope, tx, context) => {
    const { id, version } = envelope.data;
    const outcome = await ticketsRepo.applyUpdate(tx, envelope.data);
    if (outcome === 'predecessor-missing') {
      // Throwing rolls the inbox row back too, so the redelivery is handled as new.
      throw new RetryLater(
        backoffDelay(context.deliveryCount, predecessorBackoff),
        `ticket ${id} v${version} arrived before v${version - 1}`,
      );
    }
    context.logger.debug({ ticketId: id, version, outcome }, 'ticket.updated handled');
  });
}
