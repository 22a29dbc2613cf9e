import type * as Ics from 'ics';
import type { ETicket } from '../events';
import { formatSeat } from './local-time';

/** Events carry only their start; calendars get this long an entry. */
const ASSUMED_DURATION = { hours: 3 } as const;

/**
 * The e-ticket as an iCalendar file (`text/calendar`) with one entry for the event, so the buyer
 * can add it to a calendar; null when the ticket has no event. The entry's UID is the ticket's
 * id, so importing it twice updates rather than duplicates it. The ics library loads with the
 * first calendar file, not with the service.
 */
export function renderETicketIcs(ticket: ETicket): string | null {
  const { event } = ticket;
  if (!event) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  const { createEvent } = require('ics') as typeof Ics;
  const { error, value } = createEvent({
    productId: 'glotixz/etickets',
    uid: `${ticket.ticket.id}@glotixz`,
    start: Date.parse(event.startsAt),
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: ASSUMED_DURATION,
    title: event.name,
    location: `${event.venue}, ${event.city}, ${event.country}`,
    description: [
      ticket.ticket.title,
      formatSeat(ticket.seat),
      `Order ${ticket.order.id}`,
      'Show the QR code of your e-ticket at the door.',
    ].join('\n'),
    status: 'CONFIRMED',
    busyStatus: 'BUSY',
  });
  if (error || !value) throw error ?? new Error('the calendar entry could not be built');
  return value;
}
