import type { TransactionalConsumer } from '@glotixz/common/bus';
import { ticketCreatedSubject, ticketUpdatedSubject } from '@glotixz/common/events';
import type { OrdersTx } from '../db/db';
import { tickets } from '../db/schema';
import { ticketsRepo } from './tickets.repo';

/** `ticket.created`: adds the ticket to the replica; a repeat changes nothing. */
export const ticketCreatedConsumer: TransactionalConsumer<typeof ticketCreatedSubject, OrdersTx, void> = {
  subject: ticketCreatedSubject,
  order: 'none',
  async handle(tx, data) {
    await ticketsRepo.insertCreated(tx, data);
  },
};

/**
 * `ticket.updated`: applied in version order (I3): version n only on top of n-1, an older one is
 * already seen, a newer one waits for its predecessor.
 */
export const ticketUpdatedConsumer: TransactionalConsumer<typeof ticketUpdatedSubject, OrdersTx, void> = {
  subject: ticketUpdatedSubject,
  order: 'version',
  replica: tickets,
  async handle(tx, data) {
    await ticketsRepo.applyUpdate(tx, data);
  },
};
