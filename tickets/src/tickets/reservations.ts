import { enqueue } from '@glotixz/common/bus';
import { ticketUpdatedSubject } from '@glotixz/common/events';
import { ticketsRepo, type TicketsTx } from './tickets.repo';
import { toTicket, type Ticket } from './tickets.schemas';

/** The outcome of {@link reserveTicket}. */
export type ReserveOutcome =
  | { status: 'reserved'; ticket: Ticket }
  | { status: 'already-held' }
  | { status: 'order-cancelled' }
  | { status: 'held-by-another'; heldBy: string }
  | { status: 'unknown-ticket' };

/** The outcome of {@link releaseTicket}. */
export type ReleaseOutcome =
  | { status: 'released'; ticket: Ticket }
  | { status: 'not-held'; heldBy: string | null }
  | { status: 'unknown-ticket' };

/**
 * Makes `orderId` the holder of the ticket and records `ticket.updated`, inside the caller's
 * transaction. Changes nothing when the order already holds it or was already cancelled (its
 * cancellation overtook it). When another order holds the ticket, one of the two orders is
 * cancelled (orders allows one live order per ticket) and that event is still to come, so the
 * caller should retry later.
 */
export async function reserveTicket(
  tx: TicketsTx,
  ticketId: string,
  orderId: string,
): Promise<ReserveOutcome> {
  const repo = ticketsRepo(tx);
  const current = await repo.lockById(ticketId);
  if (!current) return { status: 'unknown-ticket' };
  if (current.orderId === orderId) return { status: 'already-held' };
  if (await repo.isOrderCancelled(orderId)) return { status: 'order-cancelled' };
  if (current.orderId !== null) return { status: 'held-by-another', heldBy: current.orderId };
  const ticket = toTicket(await repo.setHolder(ticketId, orderId));
  await enqueue(tx, ticketUpdatedSubject, ticket);
  return { status: 'reserved', ticket };
}

/**
 * Records the cancellation of `orderId` and, if that order holds the ticket, frees it and records
 * `ticket.updated`, inside the caller's transaction. A cancellation of an order that does not hold
 * the ticket (an older one, or one not reserved yet) leaves the ticket alone.
 */
export async function releaseTicket(
  tx: TicketsTx,
  ticketId: string,
  orderId: string,
): Promise<ReleaseOutcome> {
  const repo = ticketsRepo(tx);
  const current = await repo.lockById(ticketId);
  await repo.recordCancelledOrder(orderId, ticketId);
  if (!current) return { status: 'unknown-ticket' };
  if (current.orderId !== orderId) return { status: 'not-held', heldBy: current.orderId };
  const ticket = toTicket(await repo.setHolder(ticketId, null));
  await enqueue(tx, ticketUpdatedSubject, ticket);
  return { status: 'released', ticket };
}
