import {
  describeDuration,
  formatEventStart,
  formatEventStartLine,
  hasStarted,
  isoInZone,
  offsetMinutes,
  zonedInputValue,
  zonedToIso,
} from './event-time';

describe('event times', () => {
  it('writes the start with the event’s own offset, summer and winter', () => {
    expect(isoInZone('2026-06-14T19:00:00.000Z', 'Europe/London')).toBe('2026-06-14T20:00:00+01:00');
    expect(isoInZone('2026-01-14T19:00:00.000Z', 'Europe/London')).toBe('2026-01-14T19:00:00+00:00');
    expect(isoInZone('2026-06-14T19:00:00.000Z', 'America/New_York')).toBe('2026-06-14T15:00:00-04:00');
    expect(isoInZone('2026-06-14T19:00:00.000Z', 'Asia/Kolkata')).toBe('2026-06-15T00:30:00+05:30');
    expect(offsetMinutes(Date.parse('2026-06-14T19:00:00Z'), 'Asia/Tokyo')).toBe(540);
  });

  it('reads a wall-clock time typed in the event’s zone', () => {
    expect(zonedToIso('2026-06-14T20:00', 'Europe/London')).toBe('2026-06-14T20:00:00+01:00');
    expect(zonedToIso('2026-12-31T23:30', 'America/Los_Angeles')).toBe('2026-12-31T23:30:00-08:00');
    expect(Date.parse(zonedToIso('2026-06-14T20:00', 'Europe/Berlin')!)).toBe(
      Date.parse('2026-06-14T18:00:00Z'),
    );
    // 01:30 does not exist in London on 29 March 2026: it moves forward by the jump.
    expect(zonedToIso('2026-03-29T01:30', 'Europe/London')).toBe('2026-03-29T02:30:00+01:00');
    expect(zonedToIso('2026-02-30T20:00', 'Europe/London')).toBeNull();
    expect(zonedToIso('tomorrow', 'Europe/London')).toBeNull();
    expect(zonedToIso('2026-06-14T20:00', 'Mars/Olympus')).toBeNull();
  });

  it('fills a datetime-local input in the event’s zone', () => {
    expect(zonedInputValue('2026-06-14T19:00:00Z', 'Europe/London')).toBe('2026-06-14T20:00');
  });

  it('shows the date and time in the event’s zone, not the reader’s', () => {
    expect(formatEventStart('2026-06-14T19:00:00Z', 'Europe/London')).toEqual({
      date: 'Sun, Jun 14, 2026',
      time: '8:00 PM GMT+1',
    });
    expect(formatEventStart('2026-06-14T19:00:00Z', 'America/New_York').time).toBe('3:00 PM EDT');
    expect(formatEventStartLine('2026-06-14T19:00:00Z', 'Asia/Tokyo')).toBe(
      'Mon, Jun 15, 2026 · 4:00 AM GMT+9',
    );
    expect(formatEventStartLine('nope', 'Asia/Tokyo')).toBe('');
  });

  it('knows when an event has started', () => {
    const now = Date.parse('2026-06-14T19:00:00Z');
    expect(hasStarted('2026-06-14T19:00:00Z', now)).toBe(true);
    expect(hasStarted('2026-06-14T19:00:01Z', now)).toBe(false);
  });

  it('says a hold length in words', () => {
    expect(describeDuration(900)).toBe('15 minutes');
    expect(describeDuration(60)).toBe('1 minute');
    expect(describeDuration(5400)).toBe('1 hour 30 minutes');
    expect(describeDuration(20)).toBe('20 seconds');
  });
});
