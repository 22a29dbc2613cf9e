import { AppError, notFound } from '@glotixz/common/errors';
import { encodePageCursor, keysetPage, type PageCursor } from '@glotixz/common/express';
import { amountLimits, ticketCreatedSubject, ticketUpdatedSubject } from '@glotixz/common/events';
import type { EventFilter } from '../catalog/events.repo';
import type { TicketsDb, TicketsTx } from '../db/db';
import type { TicketRow } from '../db/schema';
import { encodeListingCursor, type ListingCursor } from './listing-cursor';
import { enqueueTicketEvent } from './ticket-events';
import { ticketsRepo, type TicketChanges } from './tickets.repo';
import { listingTitle, toTicket, type ListingSort, type Ticket, type TicketPage } from './tickets.schemas';

/** What a seller sends to list a ticket; `currency` falls back to the service default. */
export interface NewTicket {
  eventId: string;
  section?: string | undefined;
  row?: string | undefined;
  seat?: string | undefined;
  price: number;
  currency?: string | undefined;
  note?: string | undefined;
}

/** What a seller may change on a listing; null clears a seat part or the note. */
export type ListingEdit = Omit<TicketChanges, 'title'>;

/** A request for a page of available listings. */
export interface ListRequest extends EventFilter {
  eventId?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  sort?: ListingSort;
  limit?: number;
  cursor?: ListingCursor | undefined;
}

/** Settings of the tickets service. */
export interface TicketsServiceOptions {
  /** Lower-case ISO 4217 code for tickets listed without a currency. */
  defaultCurrency: string;
}

const DEFAULT_PAGE_SIZE = 20;

/**
 * Refuses a price Stripe would not charge in its currency (below its minimum charge, above eight
 * digits), so no listing can fail at payment time.
 * @throws AppError VALIDATION_FAILED naming the limits.
 */
function assertChargeable(price: number, currency: string): void {
  const limits = amountLimits(currency);
  if (limits && price >= limits.min && price <= limits.max) return;
  const message = limits
    ? `Price must be between ${limits.min} and ${limits.max} minor units of ${currency}`
    : `Tickets cannot be priced in ${currency}`;
  throw new AppError('VALIDATION_FAILED', message, [
    { path: 'body.price', message, currency, min: limits?.min ?? null, max: limits?.max ?? null },
  ]);
}

const started = (startsAt: Date) => startsAt.getTime() <= Date.now();

/**
 * Why a seller cannot change a listing in its current status, or null when they can: reserved,
 * sold, closed or its event started.
 */
function statusRefusal(row: TicketRow): AppError | null {
  switch (row.status) {
    case 'reserved':
      return new AppError('TICKET_RESERVED', 'The ticket is reserved by an order and cannot be changed');
    case 'sold':
      return new AppError('TICKET_SOLD', 'The ticket has been sold and cannot be changed');
    case 'closed':
      return new AppError('EVENT_STARTED', 'The event has started; its listings are closed');
    default:
      return started(row.startsAt)
        ? new AppError('EVENT_STARTED', 'The event has started; its listings are closed')
        : null;
  }
}

/**
 * Listing, reading and changing tickets. Every change is written together with its `ticket.*`
 * event in one transaction (outbox, I1); a seller's change locks the row first, so it runs after
 * or before a reservation of the same ticket, never beside it.
 */
export function createTicketsService(db: TicketsDb, options: TicketsServiceOptions) {
  /** The locked listing if `userId` sells it; 404 or 403 otherwise. */
  async function lockOwn(tx: TicketsTx, userId: string, id: string): Promise<TicketRow> {
    const row = await ticketsRepo(tx).lockById(id);
    if (!row) throw notFound('Ticket');
    if (row.userId !== userId) throw new AppError('FORBIDDEN', 'Only the seller can change this ticket');
    return row;
  }

  /** The listing as read back in `tx`, with its event. */
  async function listing(tx: TicketsTx, id: string): Promise<Ticket> {
    const row = await ticketsRepo(tx).findListing(id);
    if (!row) throw new Error(`ticket ${id} vanished inside its own transaction`);
    return toTicket(row);
  }

  /** Records a change and its `ticket.updated` in `tx`, answering the listing after it. */
  async function changed(tx: TicketsTx, row: TicketRow): Promise<Ticket> {
    await enqueueTicketEvent(tx, ticketUpdatedSubject, row);
    return listing(tx, row.id);
  }

  return {
    /** @throws AppError EVENT_NOT_FOUND, EVENT_STARTED, VALIDATION_FAILED (price out of limits). */
    async create(userId: string, input: NewTicket): Promise<Ticket> {
      const currency = input.currency ?? options.defaultCurrency;
      assertChargeable(input.price, currency);
      return db.transaction(async (tx) => {
        const repo = ticketsRepo(tx);
        const event = await repo.findEvent(input.eventId);
        if (!event) throw new AppError('EVENT_NOT_FOUND', 'No event has this id');
        // A listing created as the event starts is closed by the closing job's next pass.
        if (started(event.startsAt)) throw new AppError('EVENT_STARTED', 'The event has started');
        const seat = { section: input.section ?? null, row: input.row ?? null, seat: input.seat ?? null };
        const row = await repo.insert({
          eventId: event.id,
          startsAt: event.startsAt,
          title: listingTitle(event.name, seat),
          ...seat,
          note: input.note ?? null,
          price: input.price,
          currency,
          userId,
        });
        await enqueueTicketEvent(tx, ticketCreatedSubject, row);
        return listing(tx, row.id);
      });
    },

    /** Available listings of upcoming events, in the requested sort, one page at a time. */
    async list(request: ListRequest): Promise<TicketPage> {
      const limit = request.limit ?? DEFAULT_PAGE_SIZE;
      const sort = request.sort ?? 'date';
      const rows = await ticketsRepo(db).listAvailable({
        ...request,
        q: request.q || undefined,
        sort,
        limit: limit + 1,
        after: request.cursor,
      });
      return keysetPage(rows, limit, toTicket, (last) =>
        encodeListingCursor({ sort, startsAt: last.startsAt, price: last.price, id: last.id }),
      );
    },

    /** A seller's own tickets in every status, newest first, one page at a time. */
    async listMine(userId: string, request: { limit?: number; cursor?: PageCursor }): Promise<TicketPage> {
      const limit = request.limit ?? DEFAULT_PAGE_SIZE;
      const rows = await ticketsRepo(db).listBySeller({
        userId,
        limit: limit + 1,
        after: request.cursor,
      });
      return keysetPage(rows, limit, toTicket, (last) =>
        encodePageCursor({ createdAt: last.createdAt, id: last.id }),
      );
    },

    /** Any ticket, in any status. */
    async get(id: string): Promise<Ticket> {
      const row = await ticketsRepo(db).findListing(id);
      if (!row) throw notFound('Ticket');
      return toTicket(row);
    },

    /**
     * The seller's edit of a listing that is available or taken down; the title follows the seat.
     * @throws AppError NOT_FOUND, FORBIDDEN, TICKET_RESERVED, TICKET_SOLD, EVENT_STARTED, VALIDATION_FAILED.
     */
    async update(userId: string, id: string, edit: ListingEdit): Promise<Ticket> {
      return db.transaction(async (tx) => {
        const current = await lockOwn(tx, userId, id);
        const refusal = statusRefusal(current);
        if (refusal) throw refusal;
        const next = { ...current, ...definedOnly(edit) };
        if (edit.price !== undefined || edit.currency !== undefined)
          assertChargeable(next.price, next.currency);
        const repo = ticketsRepo(tx);
        const event = await repo.findEvent(current.eventId);
        if (!event) throw new Error(`event ${current.eventId} of ticket ${id} is missing`);
        const row = await repo.applyChanges(id, {
          ...definedOnly(edit),
          title: listingTitle(event.name, next),
        });
        return changed(tx, row);
      });
    },

    /** Takes the seller's available listing down; one already unlisted answers as it is. */
    async unlist(userId: string, id: string): Promise<Ticket> {
      return db.transaction(async (tx) => {
        const current = await lockOwn(tx, userId, id);
        if (current.status === 'unlisted') return listing(tx, id);
        const refusal = statusRefusal(current);
        if (refusal) throw refusal;
        return changed(tx, await ticketsRepo(tx).setStatus(id, 'unlisted'));
      });
    },

    /** Puts the seller's unlisted listing back on sale; one already available answers as it is. */
    async relist(userId: string, id: string): Promise<Ticket> {
      return db.transaction(async (tx) => {
        const current = await lockOwn(tx, userId, id);
        const refusal = statusRefusal(current);
        if (refusal) throw refusal;
        if (current.status === 'available') return listing(tx, id);
        return changed(tx, await ticketsRepo(tx).setStatus(id, 'available'));
      });
    },
  };
}

/** `edit` without the fields it leaves out. */
function definedOnly(edit: ListingEdit): ListingEdit {
  return Object.fromEntries(Object.entries(edit).filter(([, value]) => value !== undefined));
}

/** The tickets service. */
export type TicketsService = ReturnType<typeof createTicketsService>;
