/**
 * An event's start is an instant (`startsAt`, ISO UTC) plus the IANA time zone it happens in. A
 * buyer reads it in the event's zone, wherever they are, and a seller types it in that zone too.
 * Every conversion goes through Intl, never through the machine's own zone.
 */

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const partFormats = new Map<string, Intl.DateTimeFormat>();

function partsIn(instant: number, timeZone: string): ZonedParts {
  let format = partFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes `timeZone` is ahead of UTC at `instant` (+60 for London in summer). */
export function offsetMinutes(instant: number, timeZone: string): number {
  const p = partsIn(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/**
 * The start as ISO 8601 with the event's own offset: `2026-06-14T20:00:00+01:00` for 19:00Z in
 * London. schema.org's `startDate` wants it so; the instant is the same.
 */
export function isoInZone(iso: string, timeZone: string): string {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) return iso;
  const p = partsIn(instant, timeZone);
  const date = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
  const time = `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
  return `${date}T${time}${offsetText(offsetMinutes(instant, timeZone))}`;
}

/**
 * A wall-clock time typed for an event (`2026-06-14T20:00`, as `<input type="datetime-local">`
 * gives it) in `timeZone`, as ISO 8601 with that zone's offset at that moment, or null when the
 * text is not a date and time. A time skipped by a daylight-saving jump moves forward by the jump.
 */
export function zonedToIso(local: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!match || !isTimeZone(timeZone)) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) {
    return null;
  }
  // The offset at the guessed instant, then again at the corrected one (they differ across a DST change).
  let instant = wall - offsetMinutes(wall, timeZone) * 60_000;
  instant = wall - offsetMinutes(instant, timeZone) * 60_000;
  return isoInZone(new Date(instant).toISOString(), timeZone);
}

/** The wall-clock value for `<input type="datetime-local">` of `iso` in `timeZone`: `2026-06-14T20:00`. */
export function zonedInputValue(iso: string, timeZone: string): string {
  return isoInZone(iso, timeZone).slice(0, 16);
}

/**
 * When an event starts, in its own zone, as a listing shows it:
 * `{ date: 'Sat, Jun 14, 2026', time: '8:00 PM BST' }`.
 */
export function formatEventStart(iso: string, timeZone: string): { date: string; time: string } {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) return { date: '', time: '' };
  const zone = isTimeZone(timeZone) ? timeZone : 'UTC';
  const date = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  }).format(instant);
  const time = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(instant);
  return { date, time };
}

/** `formatEventStart` in one line: "Sat, Jun 14, 2026 · 8:00 PM BST". */
export function formatEventStartLine(iso: string, timeZone: string): string {
  const { date, time } = formatEventStart(iso, timeZone);
  return date ? `${date} · ${time}` : '';
}

/** Whether the event has started at `now`. */
export function hasStarted(iso: string, now: number): boolean {
  const at = Date.parse(iso);
  return !Number.isNaN(at) && at <= now;
}

/** "15 minutes", "1 hour", "1 hour 30 minutes": a hold length for a sentence. */
export function describeDuration(seconds: number): string {
  const total = Math.max(1, Math.round(seconds / 60));
  if (seconds < 60) {
    const s = Math.max(1, Math.round(seconds));
    return `${s} second${s === 1 ? '' : 's'}`;
  }
  const hours = Math.floor(total / 60);
  const minutes = total % 60;
  const parts: string[] = [];
  if (hours > 0) parts.push(`${hours} hour${hours === 1 ? '' : 's'}`);
  if (minutes > 0) parts.push(`${minutes} minute${minutes === 1 ? '' : 's'}`);
  return parts.join(' ');
}
