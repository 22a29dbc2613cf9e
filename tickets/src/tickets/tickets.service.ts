import { enqueue } from '@glotixz/common/bus';
import { AppError, notFound } from '@glotixz/common/errors';
import { encodePageCursor, type PageCursor } from '@glotixz/common/express';
import { amountLimits, ticketCreatedSubject, ticketUpdatedSubject } from '@glotixz/common/events';
import type { TicketRow } from '../db/schema';
import type { TicketsDb } from '../db/db';
import { ticketsRepo, type TicketChanges, type TicketsRepo } from './tickets.repo';
import { toTicket, toTicketEventData, type Ticket, type TicketPage } from './tickets.schemas';

/** What a seller sends to list a ticket; `currency` falls back to the service default. */
export interface NewTicket {
  title: string;
  price: number;
  currency?: string;
}

/** A request for a page of available tickets. */
export interface ListRequest {
  limit?: number;
  cursor?: PageCursor;
  q?: string;
}

/** Settings of the tickets service. */
export interface TicketsServiceOptions {
  /** Lower-case ISO 4217 code for tickets listed without a currency. */
  defaultCurrency: string;
}

const DEFAULT_PAGE_SIZE = 20;

/** One page out of `limit + 1` rows: the extra row only says that another page follows. */
function toPage(rows: TicketRow[], limit: number): TicketPage {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toTicket),
    nextCursor:
      rows.length > limit && last ? encodePageCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

/**
 * Why a conditional update touched nothing: missing (404), someone else's (403), or reserved or
 * sold (409).
 */
async function notEditableError(repo: TicketsRepo, id: string, userId: string): Promise<AppError> {
  const current = await repo.findById(id);
  if (!current) return notFound('Ticket');
  if (current.userId !== userId) return new AppError('FORBIDDEN', 'Only the seller can edit this ticket');
  const why = current.soldAt ? 'has been sold' : 'is reserved by an order';
  return new AppError('TICKET_RESERVED', `The ticket ${why} and cannot be edited`);
}

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

/**
 * Listing, reading and editing tickets. Every change is written together with its `ticket.*` event
 * in one transaction (outbox, I1).
 */
export function createTicketsService(db: TicketsDb, options: TicketsServiceOptions) {
  return {
    async create(userId: string, input: NewTicket): Promise<Ticket> {
      const currency = input.currency ?? options.defaultCurrency;
      assertChargeable(input.price, currency);
      return db.transaction(async (tx) => {
        const row = await ticketsRepo(tx).insert({
          title: input.title,
          price: input.price,
          currency,
          userId,
        });
        await enqueue(tx, ticketCreatedSubject, toTicketEventData(row));
        return toTicket(row);
      });
    },

    /** Available tickets, newest first, one page at a time. */
    async list(request: ListRequest): Promise<TicketPage> {
      const limit = request.limit ?? DEFAULT_PAGE_SIZE;
      const rows = await ticketsRepo(db).listAvailable({
        limit: limit + 1,
        after: request.cursor,
        search: request.q || undefined,
      });
      return toPage(rows, limit);
    },

    /** A seller's own tickets, available, reserved or sold, newest first, one page at a time. */
    async listMine(userId: string, request: Omit<ListRequest, 'q'>): Promise<TicketPage> {
      const limit = request.limit ?? DEFAULT_PAGE_SIZE;
      const rows = await ticketsRepo(db).listBySeller({ userId, limit: limit + 1, after: request.cursor });
      return toPage(rows, limit);
    },

    /** Any ticket, available, reserved or sold. */
    async get(id: string): Promise<Ticket> {
      const row = await ticketsRepo(db).findById(id);
      if (!row) throw notFound('Ticket');
      return toTicket(row);
    },

    /** The seller's edit of a ticket no order holds. */
    async update(userId: string, id: string, changes: TicketChanges): Promise<Ticket> {
      return db.transaction(async (tx) => {
        const repo = ticketsRepo(tx);
        const row = await repo.updateIfEditable(id, userId, changes);
        if (!row) throw await notEditableError(repo, id, userId);
        // Checked on the row as changed, so a price-only or currency-only edit is checked against
        // the other half of the ticket's terms; throwing rolls the change back.
        if (changes.price !== undefined || changes.currency !== undefined) {
          assertChargeable(row.price, row.currency);
        }
        await enqueue(tx, ticketUpdatedSubject, toTicketEventData(row));
        return toTicket(row);
      });
    },
  };
}

/** The tickets service. */
export type TicketsService = ReturnType<typeof createTicketsService>;
