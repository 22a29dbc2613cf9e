import type { TransactionalConsumer } from '@glotixz/common/bus';
import { ticketCreatedSubject, ticketUpdatedSubject } from '@glotixz/common/events';
import type { OrdersTx } from '../db/db';
import { ticketsRepo } from './tickets.repo';

/** `ticket.created`: adds the ticket to the replica; a repeat changes nothing. */
export const ticketCreatedConsumer: TransactionalConsumer<typeof ticketCreatedSubject, OrdersTx, void> = {
  subject: ticketCreatedSubject,
  order: 'none',
  async handle(tx, data, context) {
    const inserted = await ticketsRepo.insertCreated(tx, data);
    context.logger.debug({ ticketId: data.id, inserted }, 'ticket.created handled');
  },
};

/**
 * `ticket.updated`: applied in version order (I3): version n only on top of n-1, an older one is
 * already seen, a newer one waits for its predecessor.
 */
export const ticketUpdatedConsumer: TransactionalConsumer<typeof ticketUpdatedSubject, OrdersTx, void> = {
  subject: ticketUpdatedSubject,
  order: 'version',
  currentVersion: (tx, data) => ticketsRepo.lockVersion(tx, data.id),
  async handle(tx, data, context) {
    const applied = await ticketsRepo.applyUpdate(tx, data);
    context.logger.debug({ ticketId: data.id, version: data.version, applied }, 'ticket.updated handled');
  },
};
