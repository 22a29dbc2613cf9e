import type { PageCursor } from '@glotixz/common/express';
import { sql, type SQL } from 'drizzle-orm';
import type { TicketsDb, TicketsTx } from '../db/db';
import { events, type EventCategory, type EventRow } from '../db/schema';

/** An event row with the figures of its listings on sale. */
export type EventWithFigures = Omit<EventRow, 'search'> & {
  available: number;
  lowestPrice: number | null;
  currency: string | null;
};

/** The filters on events that `GET /api/events` and `GET /api/tickets` share. */
export interface EventFilter {
  q?: string | undefined;
  city?: string | undefined;
  category?: EventCategory | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** What {@link eventsRepo.listUpcoming} reads; the page cursor's time is the event's start. */
export interface UpcomingQuery extends EventFilter {
  limit: number;
  after?: PageCursor | undefined;
}

/** What a new event is made of. */
export type NewEventRow = Pick<
  EventRow,
  'name' | 'venue' | 'city' | 'country' | 'startsAt' | 'timezone' | 'category' | 'organizerId'
>;

/**
 * The conditions of {@link EventFilter} on the events table aliased `alias`. `q` matches the
 * full-text search column (websearch syntax over the folded words, index `events_search_idx`) or
 * a name similar word by word (pg_trgm `<%`, index `events_name_trgm_idx`), so typos still match.
 */
export function eventFilterConditions(alias: SQL, filter: EventFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.q) {
    conditions.push(
      sql`(${alias}.search @@ websearch_to_tsquery('simple', fold_text(${filter.q})) or fold_text(${filter.q}) <% fold_text(${alias}.name))`,
    );
  }
  if (filter.city) conditions.push(sql`fold_text(${alias}.city) = fold_text(${filter.city})`);
  if (filter.category) conditions.push(sql`${alias}.category = ${filter.category}`);
  if (filter.from) conditions.push(sql`${alias}.starts_at >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) conditions.push(sql`${alias}.starts_at <= ${filter.to.toISOString()}::timestamptz`);
  return conditions;
}

/** A row as {@link withFigures} selects it: the columns named as the row type names them. */
type FiguresRow = Omit<EventWithFigures, 'startsAt' | 'closedAt' | 'createdAt'> & {
  startsAt: Date | string;
  closedAt: Date | string | null;
  createdAt: Date | string;
};

// A raw query's timestamps may come back as text (drizzle's driver keeps them so) or as Date.
const asDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

/**
 * Events with their figures: how many listings are on sale, and the lowest price in the currency
 * most of them use (ties: alphabetical), from one scan of the event's available listings
 * (`tickets_available_event_price_idx`).
 */
function withFigures(where: SQL, tail: SQL = sql``): SQL {
  return sql`
    select e.id, e.name, e.venue, e.city, e.country, e.starts_at as "startsAt", e.timezone, e.category,
           e.organizer_id as "organizerId", e.closed_at as "closedAt", e.created_at as "createdAt",
           coalesce(f.total, 0) as available, f.lowest_price as "lowestPrice", f.currency
    from events e
    left join lateral (
      select t.currency, min(t.price)::int as lowest_price, (sum(count(*)) over ())::int as total
      from tickets t
      where t.event_id = e.id and t.status = 'available'
      group by t.currency
      order by count(*) desc, t.currency
      limit 1
    ) f on true
    where ${where}
    ${tail}`;
}

/** Data access for events, on the database or inside a transaction. */
export function eventsRepo(db: TicketsDb | TicketsTx) {
  async function select(where: SQL, tail?: SQL): Promise<EventWithFigures[]> {
    const result = await db.execute<FiguresRow>(withFigures(where, tail));
    return result.rows.map((row) => ({
      ...row,
      startsAt: asDate(row.startsAt),
      closedAt: row.closedAt === null ? null : asDate(row.closedAt),
      createdAt: asDate(row.createdAt),
    }));
  }

  return {
    /**
     * Inserts the event unless one with the same folded name, venue and start exists: the unique
     * index `events_identity_unique` decides, so two creations racing make one row. `null` when it
     * existed.
     */
    async insertIfNew(values: NewEventRow): Promise<EventRow | null> {
      const [row] = await db.insert(events).values(values).onConflictDoNothing().returning();
      return row ?? null;
    },

    /** The event with the same identity as `values` (folded name and venue, same start). */
    async findSame(values: Pick<EventRow, 'name' | 'venue' | 'startsAt'>): Promise<EventWithFigures | null> {
      const [row] = await select(
        sql`fold_text(e.name) = fold_text(${values.name}) and fold_text(e.venue) = fold_text(${values.venue}) and e.starts_at = ${values.startsAt.toISOString()}::timestamptz`,
      );
      return row ?? null;
    },

    async findById(id: string): Promise<EventWithFigures | null> {
      const [row] = await select(sql`e.id = ${id}`);
      return row ?? null;
    },

    /** Upcoming events matching `query`, soonest first, after `after` (keyset on start, id). */
    async listUpcoming(query: UpcomingQuery): Promise<EventWithFigures[]> {
      const conditions = [sql`e.starts_at > now()`, ...eventFilterConditions(sql.raw('e'), query)];
      if (query.after) {
        conditions.push(
          sql`(e.starts_at, e.id) > (${query.after.createdAt.toISOString()}::timestamptz, ${query.after.id}::uuid)`,
        );
      }
      return select(sql.join(conditions, sql` and `), sql`order by e.starts_at, e.id limit ${query.limit}`);
    },
  };
}

/** Data access for events. */
export type EventsRepo = ReturnType<typeof eventsRepo>;
