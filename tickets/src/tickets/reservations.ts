import { enqueue } from '@glotixz/common/bus';
import { ticketUpdatedSubject } from '@glotixz/common/events';
import { ticketsRepo, type TicketsTx } from './tickets.repo';
import { toTicket, type Ticket } from './tickets.schemas';

/** The outcome of {@link reserveTicket}. */
export type ReserveOutcome =
  { status: 'reserved'; ticket: Ticket } | { status: 'already-held' } | { status: 'unknown-ticket' };

/** The outcome of {@link releaseTicket}. */
export type ReleaseOutcome =
  | { status: 'released'; ticket: Ticket }
  | { status: 'not-held'; heldBy: string | null }
  | { status: 'unknown-ticket' };

/**
 * Marks the ticket held by `orderId` and records `ticket.updated`, inside the caller's transaction.
 * Another order's hold is replaced: orders allows one live order per ticket, so that order is
 * cancelled. Nothing changes when this order already holds the ticket.
 */
export async function reserveTicket(
  tx: TicketsTx,
  ticketId: string,
  orderId: string,
): Promise<ReserveOutcome> {
  const repo = ticketsRepo(tx);
  const row = await repo.reserve(ticketId, orderId);
  if (row) {
    const ticket = toTicket(row);
    await enqueue(tx, ticketUpdatedSubject, ticket);
    return { status: 'reserved', ticket };
  }
  return (await repo.findById(ticketId)) ? { status: 'already-held' } : { status: 'unknown-ticket' };
}

/**
 * Frees the ticket and records `ticket.updated`, inside the caller's transaction, but only while
 * `orderId` holds it: a late cancellation of an older order leaves a newer order's hold alone.
 */
export async function releaseTicket(
  tx: TicketsTx,
  ticketId: string,
  orderId: string,
): Promise<ReleaseOutcome> {
  const repo = ticketsRepo(tx);
  const row = await repo.release(ticketId, orderId);
  if (row) {
    const ticket = toTicket(row);
    await enqueue(tx, ticketUpdatedSubject, ticket);
    return { status: 'released', ticket };
  }
  const current = await repo.findById(ticketId);
  return current ? { status: 'not-held', heldBy: current.orderId } : { status: 'unknown-ticket' };
}
