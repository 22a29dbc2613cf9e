import { AppError } from '@glotixz/common/errors';
import type { Scanner, StaffService } from '../catalog/staff.service';
import type { TicketsDb } from '../db/db';
import { checkinsRepo } from './checkins.repo';
import type { Admission } from './checkins.schemas';
import type { ETicketVerifier } from './eticket-keys';

const voidTicket = (reason: string) =>
  new AppError('TICKET_VOID', 'This ticket does not admit: its order was refunded or it was not sold to it', {
    reason,
  });

/** Admitting e-tickets at the door. */
export function createCheckinsService(db: TicketsDb, verifier: ETicketVerifier, staff: StaffService) {
  const repo = checkinsRepo(db);
  return {
    /**
     * Admits the ticket a code names, scanned by `scanner` (the event's organizer or staff),
     * optionally for `expectedEventId`. Throws `INVALID_TICKET_CODE`, `NOT_EVENT_STAFF`,
     * `WRONG_EVENT`, `TICKET_VOID` or `ALREADY_ADMITTED` (details.admittedAt: the first admission).
     */
    async checkIn(code: string, scanner: Scanner, expectedEventId?: string): Promise<Admission> {
      const claims = await verifier.verify(code);
      const ticket = await repo.findTicket(claims.tid);
      // A genuine code always names a ticket of its event; anything else is not one of ours.
      if (!ticket || ticket.eventId !== claims.eid)
        throw new AppError('INVALID_TICKET_CODE', 'This code names no ticket');
      if (expectedEventId !== undefined && expectedEventId !== ticket.eventId) {
        await staff.requireDoorAccess(expectedEventId, scanner);
        throw new AppError('WRONG_EVENT', 'This ticket is for another event', { eventId: ticket.eventId });
      }
      await staff.requireDoorAccess(ticket.eventId, scanner);
      if (ticket.refunded && ticket.orderId === claims.oid) throw voidTicket('refunded');
      const outcome = await repo.admit(ticket.id, claims.oid, ticket.eventId, scanner.id);
      switch (outcome.status) {
        case 'admitted':
          return {
            result: 'admitted',
            admittedAt: outcome.admittedAt.toISOString(),
            ticket: { id: ticket.id, title: ticket.title },
            eventId: ticket.eventId,
          };
        case 'already-admitted':
          throw new AppError('ALREADY_ADMITTED', 'This ticket was already admitted', {
            admittedAt: outcome.admittedAt.toISOString(),
          });
        case 'void':
          throw voidTicket(
            ticket.status === 'sold' && ticket.orderId === claims.oid ? 'refunded' : 'not-sold-to-order',
          );
      }
    },
  };
}

/** Admitting e-tickets at the door. */
export type CheckinsService = ReturnType<typeof createCheckinsService>;
