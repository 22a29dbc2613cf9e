import { isTimeZone } from './event-time';
import { COUNTRIES, defaultZone, TIME_ZONES, zoneLabel } from './places';

describe('countries and time zones the sell form offers', () => {
  it('are ISO codes and zones the runtime knows', () => {
    for (const country of COUNTRIES) expect(country.code).toMatch(/^[A-Z]{2}$/);
    expect(new Set(COUNTRIES.map((c) => c.code)).size).toBe(COUNTRIES.length);
    for (const zone of TIME_ZONES) expect(isTimeZone(zone)).toBe(true);
  });

  it('picks the usual zone of a country', () => {
    expect(defaultZone('GB')).toBe('Europe/London');
    expect(defaultZone('US')).toBe('America/New_York');
    expect(defaultZone('XX')).toBe('UTC');
  });

  it('labels a zone by its city', () => {
    expect(zoneLabel('America/New_York')).toBe('New York (America)');
    expect(zoneLabel('America/Argentina/Buenos_Aires')).toBe('Buenos Aires (America)');
    expect(zoneLabel('UTC')).toBe('UTC');
  });
});
