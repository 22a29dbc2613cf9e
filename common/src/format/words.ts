const instantOptions: Intl.DateTimeFormatOptions = {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
};

/** Making an `Intl` formatter costs far more than using one: one per zone, kept (zones are few). */
const instantFormats = new Map<string, Intl.DateTimeFormat>();

function instantFormat(timeZone: string): Intl.DateTimeFormat {
  let format = instantFormats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-GB', { ...instantOptions, timeZone });
    } catch {
      // An unknown zone: UTC, without remembering the name, so made-up zones cannot fill the map.
      return instantFormat('UTC');
    }
    instantFormats.set(timeZone, format);
  }
  return format;
}

/**
 * An instant as a person reads it, in `timeZone` (UTC by default), naming the zone:
 * `Saturday, 13 March 2027 at 19:30 GMT`. An unknown zone falls back to UTC.
 */
export function formatInstant(iso: string, timeZone = 'UTC'): string {
  return instantFormat(timeZone).format(new Date(iso));
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
