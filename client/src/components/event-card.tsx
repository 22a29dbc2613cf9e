import Link from 'next/link';
import { categoryLabel } from '@/lib/browse';
import { formatEventStart } from '@/lib/event-time';
import { formatMoney } from '@/lib/money';
import type { MarketEvent } from '@/lib/types';
import { colorsOf } from './ticket-art';

/** The month and day of an event in its own zone, as the card's date block shows them. */
function dayParts(iso: string, timeZone: string): { month: string; day: string } {
  const format = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-US', { timeZone, ...options }).format(Date.parse(iso));
  try {
    return { month: format({ month: 'short' }), day: format({ day: 'numeric' }) };
  } catch {
    return { month: '', day: '' };
  }
}

/** What an event's listings cost and how many there are: "From $45.00 · 12 on sale". */
export function eventOffer(event: Pick<MarketEvent, 'available' | 'lowestPrice' | 'currency'>): string {
  if (event.available === 0 || event.lowestPrice === null || !event.currency) return 'No tickets on sale yet';
  return `From ${formatMoney(event.lowestPrice, event.currency)} · ${event.available} on sale`;
}

/** An upcoming event on the marketplace: when (in its own zone), where, and from what price. */
export function EventCard({ event }: { event: MarketEvent }) {
  const { date, time } = formatEventStart(event.startsAt, event.timezone);
  const { month, day } = dayParts(event.startsAt, event.timezone);
  return (
    <li className="event-list-item">
      <Link href={`/events/${event.id}`} className="event-card" data-testid="event-card">
        <span className="event-date" style={colorsOf(event.id)} aria-hidden="true">
          <span className="event-date-month">{month}</span>
          <span className="event-date-day">{day}</span>
        </span>
        <span className="event-body">
          <span className="event-category">{categoryLabel(event.category)}</span>
          <h3 className="event-title">{event.name}</h3>
          <span className="event-meta">
            <time dateTime={event.startsAt}>
              {date} · {time}
            </time>
          </span>
          <span className="event-meta">
            {event.venue}, {event.city}
          </span>
          <span className={event.available > 0 ? 'event-offer' : 'event-offer event-offer-none'}>
            {eventOffer(event)}
          </span>
        </span>
      </Link>
    </li>
  );
}
