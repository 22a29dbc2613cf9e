/**
 * The countries a seller can pick for a new event (ISO 3166-1 alpha-2, as the tickets service
 * stores it), each with the IANA time zones its venues use, the first one the usual. The tickets
 * service accepts any valid code and zone; this list is what the form offers.
 */
export const COUNTRIES: readonly { code: string; name: string; zones: readonly string[] }[] = [
  { code: 'AR', name: 'Argentina', zones: ['America/Argentina/Buenos_Aires'] },
  {
    code: 'AU',
    name: 'Australia',
    zones: [
      'Australia/Sydney',
      'Australia/Melbourne',
      'Australia/Brisbane',
      'Australia/Perth',
      'Australia/Adelaide',
    ],
  },
  { code: 'AT', name: 'Austria', zones: ['Europe/Vienna'] },
  { code: 'BE', name: 'Belgium', zones: ['Europe/Brussels'] },
  { code: 'BR', name: 'Brazil', zones: ['America/Sao_Paulo'] },
  {
    code: 'CA',
    name: 'Canada',
    zones: [
      'America/Toronto',
      'America/Vancouver',
      'America/Edmonton',
      'America/Winnipeg',
      'America/Halifax',
    ],
  },
  { code: 'CZ', name: 'Czechia', zones: ['Europe/Prague'] },
  { code: 'DK', name: 'Denmark', zones: ['Europe/Copenhagen'] },
  { code: 'FI', name: 'Finland', zones: ['Europe/Helsinki'] },
  { code: 'FR', name: 'France', zones: ['Europe/Paris'] },
  { code: 'DE', name: 'Germany', zones: ['Europe/Berlin'] },
  { code: 'GR', name: 'Greece', zones: ['Europe/Athens'] },
  { code: 'HU', name: 'Hungary', zones: ['Europe/Budapest'] },
  { code: 'IN', name: 'India', zones: ['Asia/Kolkata'] },
  { code: 'IE', name: 'Ireland', zones: ['Europe/Dublin'] },
  { code: 'IT', name: 'Italy', zones: ['Europe/Rome'] },
  { code: 'JP', name: 'Japan', zones: ['Asia/Tokyo'] },
  { code: 'MX', name: 'Mexico', zones: ['America/Mexico_City'] },
  { code: 'NL', name: 'Netherlands', zones: ['Europe/Amsterdam'] },
  { code: 'NZ', name: 'New Zealand', zones: ['Pacific/Auckland'] },
  { code: 'NO', name: 'Norway', zones: ['Europe/Oslo'] },
  { code: 'PL', name: 'Poland', zones: ['Europe/Warsaw'] },
  { code: 'PT', name: 'Portugal', zones: ['Europe/Lisbon'] },
  { code: 'SG', name: 'Singapore', zones: ['Asia/Singapore'] },
  { code: 'ZA', name: 'South Africa', zones: ['Africa/Johannesburg'] },
  { code: 'KR', name: 'South Korea', zones: ['Asia/Seoul'] },
  { code: 'ES', name: 'Spain', zones: ['Europe/Madrid'] },
  { code: 'SE', name: 'Sweden', zones: ['Europe/Stockholm'] },
  { code: 'CH', name: 'Switzerland', zones: ['Europe/Zurich'] },
  { code: 'AE', name: 'United Arab Emirates', zones: ['Asia/Dubai'] },
  { code: 'GB', name: 'United Kingdom', zones: ['Europe/London'] },
  {
    code: 'US',
    name: 'United States',
    zones: [
      'America/New_York',
      'America/Chicago',
      'America/Denver',
      'America/Los_Angeles',
      'America/Phoenix',
      'America/Anchorage',
      'Pacific/Honolulu',
    ],
  },
];

/** Every zone the form offers, alphabetically, with "UTC" last. */
export const TIME_ZONES: readonly string[] = [
  ...[...new Set(COUNTRIES.flatMap((c) => c.zones))].sort(),
  'UTC',
];

/** The usual zone of a country's venues, or UTC. */
export function defaultZone(country: string): string {
  return COUNTRIES.find((c) => c.code === country)?.zones[0] ?? 'UTC';
}

/** "America/New_York" → "New York (America)": a zone as a seller reads it. */
export function zoneLabel(zone: string): string {
  const parts = zone.split('/');
  if (parts.length < 2) return zone;
  const city = parts[parts.length - 1]!.replace(/_/g, ' ');
  return `${city} (${parts[0]})`;
}
