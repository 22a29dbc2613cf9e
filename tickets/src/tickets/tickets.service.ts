import { enqueue } from '@glotixz/common/bus';
import { AppError, notFound } from '@glotixz/common/errors';
import { encodePageCursor, type PageCursor } from '@glotixz/common/express';
import { ticketCreatedSubject, ticketUpdatedSubject } from '@glotixz/common/events';
import type { TicketRow } from '../db/schema';
import { ticketsRepo, type TicketChanges, type TicketsDb, type TicketsRepo } from './tickets.repo';
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
 * Listing, reading and editing tickets. Every change is written together with its `ticket.*` event
 * in one transaction (outbox, I1).
 */
export function createTicketsService(db: TicketsDb, options: TicketsServiceOptions) {
  return {
    async create(userId: string, input: NewTicket): Promise<Ticket> {
      return db.transaction(async (tx) => {
        const row = await ticketsRepo(tx).insert({
          title: input.title,
          price: input.price,
          currency: input.currency ?? options.defaultCurrency,
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
        await enqueue(tx, ticketUpdatedSubject, toTicketEventData(row));
        return toTicket(row);
      });
    },
  };
}

/** The tickets service. */
export type TicketsService = ReturnType<typeof createTicketsService>;
