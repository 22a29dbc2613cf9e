import type { EventDetails } from '../events';
import { formatInstant } from '../format';

export { formatInstant, formatSeat } from '../format';

/** When an event starts, in the venue's own time zone, as a buyer reads it on a ticket. */
export function formatEventStart(event: Pick<EventDetails, 'startsAt' | 'timezone'>): string {
  return formatInstant(event.startsAt, event.timezone);
}
