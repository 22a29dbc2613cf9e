/**
 * An instant as a person reads it, in `timeZone` (UTC by default), naming the zone:
 * `Saturday, 13 March 2027 at 19:30 GMT`. An unknown zone falls back to UTC.
 */
export function formatInstant(iso: string, timeZone = 'UTC'): string {
  const options: Intl.DateTimeFormatOptions = {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  };
  const at = new Date(iso);
  try {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone }).format(at);
  } catch {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(at);
  }
}

/** A seat as printed: `Section 112 · Row F · Seat 7`, or `General admission` when none is named. */
export function formatSeat(seat: {
  section: string | null;
  row: string | null;
  seat: string | null;
}): string {
  const parts = [
    seat.section && `Section ${seat.section}`,
    seat.row && `Row ${seat.row}`,
    seat.seat && `Seat ${seat.seat}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : 'General admission';
}
