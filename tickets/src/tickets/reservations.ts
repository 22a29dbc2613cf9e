import { ticketUpdatedSubject } from '@glotixz/common/events';
import type { TicketsTx } from '../db/db';
import { ticketsRepo, type HeldTerms } from './tickets.repo';
import type { TicketRow } from '../db/schema';
import { enqueueTicketEvent } from './ticket-events';

/** The outcome of {@link reserveTicket}. */
export type ReserveOutcome =
  | { status: 'reserved'; ticket: TicketRow }
  | { status: 'sold'; ticket: TicketRow }
  | { status: 'already-held' }
  | { status: 'order-cancelled' }
  | { status: 'held-by-another'; heldBy: string }
  | { status: 'unknown-ticket' };

/** The outcome of {@link releaseTicket}. */
export type ReleaseOutcome =
  | { status: 'released'; ticket: TicketRow }
  | { status: 'not-held'; heldBy: string | null }
  | { status: 'sold' }
  | { status: 'unknown-ticket' };

/** The outcome of {@link sellTicket}. */
export type SellOutcome =
  | { status: 'sold'; ticket: TicketRow }
  | { status: 'already-sold' }
  | { status: 'not-held'; heldBy: string | null }
  | { status: 'unknown-ticket' };

/**
 * Makes `orderId` the holder of the ticket at the order's `terms` (I8) and records
 * `ticket.updated`, inside the caller's transaction. An order orders accepted wins: a listing its
 * seller took down, or closed because its event started while the order was in flight, is
 * reserved all the same (the order holds it until paid or expired). The ticket's own terms stay as the seller last
 * set them, for when it is on sale again. Changes nothing when the order already holds it or was already cancelled (its
 * cancellation overtook it). When another order holds the ticket, one of the two orders is
 * cancelled (orders allows one live order per ticket) and that event is still to come, so the
 * caller should retry later. An order whose `order.completed` overtook it reserves the ticket
 * already sold, in one version.
 */
export async function reserveTicket(
  tx: TicketsTx,
  ticketId: string,
  orderId: string,
  terms: Omit<HeldTerms, 'title'> & { title?: string | undefined },
): Promise<ReserveOutcome> {
  const repo = ticketsRepo(tx);
  const current = await repo.lockById(ticketId);
  if (!current) return { status: 'unknown-ticket' };
  if (current.orderId === orderId) return { status: 'already-held' };
  const fate = await repo.orderFate(orderId);
  if (fate.cancelled) return { status: 'order-cancelled' };
  if (current.orderId !== null) return { status: 'held-by-another', heldBy: current.orderId };
  const sold = fate.completed;
  // An order.created from before orders carried the title: the title the ticket has now.
  const held = { ...terms, title: terms.title ?? current.title };
  const row = await repo.setHolder(ticketId, orderId, held, { sold });
  await enqueueTicketEvent(tx, ticketUpdatedSubject, row);
  return { status: sold ? 'sold' : 'reserved', ticket: row };
}

/**
 * Records the cancellation of `orderId` and, if that order holds the ticket, frees it (available
 * again, or closed if its event has started) and records `ticket.updated`, inside the caller's
 * transaction. A cancellation of an order that does not hold
 * the ticket (an older one, or one not reserved yet) leaves the ticket alone, and so does one of
 * the order that bought it (a paid order is never cancelled; a sold ticket stays sold).
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
  if (current.soldAt) return { status: 'sold' };
  const row = await repo.release(ticketId);
  await enqueueTicketEvent(tx, ticketUpdatedSubject, row);
  return { status: 'released', ticket: row };
}

/**
 * Records that `orderId` was paid and, if that order holds the ticket, marks the ticket sold and
 * records `ticket.updated`, inside the caller's transaction. When the order does not hold it (yet:
 * its `order.created` may still be on its way, possibly waiting for an older order's
 * cancellation), the record lets {@link reserveTicket} mark it sold when it reserves it.
 */
export async function sellTicket(tx: TicketsTx, ticketId: string, orderId: string): Promise<SellOutcome> {
  const repo = ticketsRepo(tx);
  const current = await repo.lockById(ticketId);
  await repo.recordCompletedOrder(orderId, ticketId);
  if (!current) return { status: 'unknown-ticket' };
  if (current.orderId !== orderId) return { status: 'not-held', heldBy: current.orderId };
  if (current.soldAt) return { status: 'already-sold' };
  const row = await repo.markSold(ticketId);
  await enqueueTicketEvent(tx, ticketUpdatedSubject, row);
  return { status: 'sold', ticket: row };
}
