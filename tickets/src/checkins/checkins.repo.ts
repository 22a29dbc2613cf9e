import { sql } from 'drizzle-orm';
import type { TicketsDb } from '../db/db';

/** What the door needs to know about the ticket a code names. */
export type DoorTicket = {
  id: string;
  title: string;
  eventId: string;
  status: string;
  orderId: string | null;
  refunded: boolean;
};

/** The outcome of an admission attempt. */
export type AdmitOutcome =
  | { status: 'admitted'; admittedAt: Date }
  | { status: 'already-admitted'; admittedAt: Date }
  | { status: 'void' };

const asDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

/** Tickets at the door and their admissions. */
export function checkinsRepo(db: TicketsDb) {
  return {
    /** The ticket, whether its holding order was refunded; undefined when there is no such ticket. */
    async findTicket(ticketId: string): Promise<DoorTicket | undefined> {
      const result = await db.execute<DoorTicket>(sql`
        select t.id, t.title, t.event_id as "eventId", t.status, t.order_id as "orderId",
               exists (select 1 from refunded_orders r where r.order_id = t.order_id) as refunded
        from tickets t where t.id = ${ticketId}`);
      return result.rows[0];
    },

    /**
     * Admits the ticket once (I9): one insert keyed by the ticket, made only while the ticket is
     * sold to `orderId` and that order is not refunded. Of any number of simultaneous scans exactly
     * one inserts; the others wait for it on the key, insert nothing, and read its admission.
     */
    async admit(
      ticketId: string,
      orderId: string,
      eventId: string,
      scannerId: string,
    ): Promise<AdmitOutcome> {
      const inserted = await db.execute<{ admitted_at: Date | string }>(sql`
        insert into admissions (ticket_id, order_id, event_id, admitted_by)
        select t.id, t.order_id, t.event_id, ${scannerId}
        from tickets t
        where t.id = ${ticketId} and t.order_id = ${orderId} and t.event_id = ${eventId} and t.status = 'sold'
          and not exists (select 1 from refunded_orders r where r.order_id = ${orderId})
        on conflict (ticket_id) do nothing
        returning admitted_at`);
      const row = inserted.rows[0];
      if (row) return { status: 'admitted', admittedAt: asDate(row.admitted_at) };
      const first = await db.execute<{ admitted_at: Date | string }>(
        sql`select admitted_at from admissions where ticket_id = ${ticketId}`,
      );
      const earlier = first.rows[0];
      if (earlier) return { status: 'already-admitted', admittedAt: asDate(earlier.admitted_at) };
      return { status: 'void' };
    },
  };
}
