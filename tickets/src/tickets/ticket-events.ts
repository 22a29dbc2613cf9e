import { enqueue } from '@glotixz/common/bus';
import type { ticketCreatedSubject, ticketUpdatedSubject } from '@glotixz/common/events';
import { inArray } from 'drizzle-orm';
import type { TicketsTx } from '../db/db';
import { events, type TicketRow } from '../db/schema';
import { toTicketEventData, type EventDetailsRow } from './tickets.schemas';

type TicketSubject = typeof ticketCreatedSubject | typeof ticketUpdatedSubject;

/**
 * Records one `subject` event per ticket in `rows`, inside the caller's transaction (I1), each
 * carrying its event's details as they are in that transaction (one query for all of them).
 */
export async function enqueueTicketEvents(
  tx: TicketsTx,
  subject: TicketSubject,
  rows: readonly TicketRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const ids = [...new Set(rows.map((row) => row.eventId))];
  const found: EventDetailsRow[] = await tx
    .select({
      id: events.id,
      name: events.name,
      venue: events.venue,
      city: events.city,
      country: events.country,
      timezone: events.timezone,
      startsAt: events.startsAt,
    })
    .from(events)
    .where(inArray(events.id, ids));
  const byId = new Map(found.map((event) => [event.id, event]));
  for (const row of rows) {
    const event = byId.get(row.eventId);
    // tickets.event_id references events(id), so only a broken database gets here.
    if (!event) throw new Error(`event ${row.eventId} of ticket ${row.id} is missing`);
    await enqueue(tx, subject, toTicketEventData(row, event));
  }
}

/** Records one `subject` event for `row` with its event's details, inside the caller's transaction. */
export function enqueueTicketEvent(tx: TicketsTx, subject: TicketSubject, row: TicketRow): Promise<void> {
  return enqueueTicketEvents(tx, subject, [row]);
}
