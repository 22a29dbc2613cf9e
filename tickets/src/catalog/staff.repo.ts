import { and, asc, eq, sql } from 'drizzle-orm';
import type { TicketsDb } from '../db/db';
import { eventStaff, events } from '../db/schema';

/** Door staff rows of events. */
export function staffRepo(db: TicketsDb) {
  return {
    /** The organizer of an event, or undefined when there is no such event. */
    async organizerOf(eventId: string): Promise<string | undefined> {
      const [row] = await db
        .select({ organizerId: events.organizerId })
        .from(events)
        .where(eq(events.id, eventId));
      return row?.organizerId;
    },

    /** True when `email` (folded) is door staff of the event. */
    async isStaff(eventId: string, email: string): Promise<boolean> {
      const [row] = await db
        .select({ one: sql<number>`1` })
        .from(eventStaff)
        .where(and(eq(eventStaff.eventId, eventId), eq(eventStaff.email, email)));
      return row !== undefined;
    },

    /**
     * Adds `email` to the event's staff, or finds it there: one insert on the key, so two
     * organizers' tabs adding the same email at once make one row (no check-then-insert).
     */
    async add(eventId: string, email: string): Promise<{ email: string; addedAt: Date; created: boolean }> {
      const [inserted] = await db
        .insert(eventStaff)
        .values({ eventId, email })
        .onConflictDoNothing()
        .returning({ email: eventStaff.email, addedAt: eventStaff.addedAt });
      if (inserted) return { ...inserted, created: true };
      const [existing] = await db
        .select({ email: eventStaff.email, addedAt: eventStaff.addedAt })
        .from(eventStaff)
        .where(and(eq(eventStaff.eventId, eventId), eq(eventStaff.email, email)));
      // The row our insert gave way to is committed, and staff rows are only removed by DELETE.
      if (!existing) return this.add(eventId, email);
      return { ...existing, created: false };
    },

    /** Removes `email` from the event's staff; true when it was there. */
    async remove(eventId: string, email: string): Promise<boolean> {
      const removed = await db
        .delete(eventStaff)
        .where(and(eq(eventStaff.eventId, eventId), eq(eventStaff.email, email)))
        .returning({ email: eventStaff.email });
      return removed.length > 0;
    },

    async list(eventId: string): Promise<{ email: string; addedAt: Date }[]> {
      return db
        .select({ email: eventStaff.email, addedAt: eventStaff.addedAt })
        .from(eventStaff)
        .where(eq(eventStaff.eventId, eventId))
        .orderBy(asc(eventStaff.addedAt), asc(eventStaff.email));
    },

    /**
     * Sold tickets of the event not refunded, how many of them were admitted, and how many not yet
     * (a refund takes a ticket out of all three, even one admitted before the refund arrived).
     */
    async attendance(eventId: string): Promise<{ sold: number; admitted: number; toCome: number }> {
      const result = await db.execute<{ sold: number; admitted: number; to_come: number }>(sql`
        select count(*) filter (where r.order_id is null)::int as sold,
               count(*) filter (where r.order_id is null and a.ticket_id is not null)::int as admitted,
               count(*) filter (where r.order_id is null and a.ticket_id is null)::int as to_come
        from tickets t
        left join refunded_orders r on r.order_id = t.order_id
        left join admissions a on a.ticket_id = t.id
        where t.event_id = ${eventId} and t.status = 'sold'`);
      const row = result.rows[0];
      return { sold: row?.sold ?? 0, admitted: row?.admitted ?? 0, toCome: row?.to_come ?? 0 };
    },
  };
}

/** Door staff rows of events. */
export type StaffRepo = ReturnType<typeof staffRepo>;
