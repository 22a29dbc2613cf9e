import { notFound } from '@glotixz/common/errors';
import { encodePageCursor, keysetPage } from '@glotixz/common/express';
import type { TicketsDb } from '../db/db';
import type { EventCategory } from '../db/schema';
import { eventsRepo, type EventFilter, type EventWithFigures } from './events.repo';
import type { Event, EventPage } from './events.schemas';

/** What a signed-in user sends to create an event. */
export interface NewEvent {
  name: string;
  venue: string;
  city: string;
  country: string;
  startsAt: Date;
  timezone: string;
  category: EventCategory;
}

/** A request for a page of upcoming events. */
export interface ListEventsRequest extends EventFilter {
  limit?: number;
  cursor?: { createdAt: Date; id: string } | undefined;
}

const DEFAULT_PAGE_SIZE = 20;

/** The API shape of an event with its figures. */
export function toEvent(row: EventWithFigures): Event {
  return {
    id: row.id,
    name: row.name,
    venue: row.venue,
    city: row.city,
    country: row.country,
    startsAt: row.startsAt.toISOString(),
    timezone: row.timezone,
    category: row.category,
    organizerId: row.organizerId,
    available: row.available,
    lowestPrice: row.lowestPrice,
    currency: row.currency,
  };
}

/** Creating, finding and listing events. */
export function createEventsService(db: TicketsDb) {
  const repo = eventsRepo(db);
  return {
    /** The new event (`created`), or the one with the same name, venue and start. */
    async create(organizerId: string, input: NewEvent): Promise<{ event: Event; created: boolean }> {
      const inserted = await repo.insertIfNew({ ...input, organizerId });
      const row = await (inserted ? repo.findById(inserted.id) : repo.findSame(input));
      // The row that won the unique index is committed before our insert gives up, so it is there.
      if (!row) throw new Error(`event ${input.name} at ${input.venue} neither inserted nor found`);
      return { event: toEvent(row), created: inserted !== null };
    },

    /** Any event, upcoming or past. */
    async get(id: string): Promise<Event> {
      const row = await repo.findById(id);
      if (!row) throw notFound('Event');
      return toEvent(row);
    },

    /** Upcoming events, soonest first, one page at a time. */
    async list(request: ListEventsRequest): Promise<EventPage> {
      const limit = request.limit ?? DEFAULT_PAGE_SIZE;
      const rows = await repo.listUpcoming({
        ...request,
        q: request.q || undefined,
        limit: limit + 1,
        after: request.cursor,
      });
      return keysetPage(rows, limit, toEvent, (last) =>
        encodePageCursor({ createdAt: last.startsAt, id: last.id }),
      );
    },
  };
}

/** The events service. */
export type EventsService = ReturnType<typeof createEventsService>;
