import { isoInZone } from './event-time';
import { minorDigits } from './money';
import type { MarketEvent } from './types';

/** The longest meta description worth writing: search results cut around here. */
const DESCRIPTION_MAX = 160;

/** `text` cut at a word to fit a meta description, with an ellipsis when cut. */
export function metaDescription(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= DESCRIPTION_MAX) return clean;
  const cut = clean.slice(0, DESCRIPTION_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > 80 ? cut.slice(0, space) : cut).replace(/[\s,.;:·—-]+$/, '')}…`;
}

/** A price in minor units as schema.org wants it: a decimal string in major units (`"25.50"`). */
export function schemaPrice(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

const CATEGORY_TYPES: Record<string, string> = {
  concert: 'MusicEvent',
  sports: 'SportsEvent',
  theatre: 'TheaterEvent',
  comedy: 'ComedyEvent',
  festival: 'Festival',
};

/**
 * The schema.org `Event` of an event page (JSON-LD): when and where, and its offers as one
 * AggregateOffer (the cheapest listing on sale and how many there are). `url` is the page's
 * absolute address. `now` decides whether it is still on sale.
 */
export function eventJsonLd(event: MarketEvent, url: string, now: number): Record<string, unknown> {
  const started = Date.parse(event.startsAt) <= now;
  const onSale = !started && event.available > 0;
  const offers: Record<string, unknown> = {
    '@type': 'AggregateOffer',
    url,
    offerCount: event.available,
    availability: onSale ? 'https://schema.org/InStock' : 'https://schema.org/SoldOut',
  };
  if (event.lowestPrice !== null && event.currency) {
    offers.lowPrice = schemaPrice(event.lowestPrice, event.currency);
    offers.priceCurrency = event.currency.toUpperCase();
  }
  return {
    '@context': 'https://schema.org',
    '@type': CATEGORY_TYPES[event.category] ?? 'Event',
    name: event.name,
    startDate: isoInZone(event.startsAt, event.timezone),
    eventStatus: 'https://schema.org/EventScheduled',
    eventAttendanceMode: 'https://schema.org/OfflineEventAttendanceMode',
    url,
    location: {
      '@type': 'Place',
      name: event.venue,
      address: {
        '@type': 'PostalAddress',
        addressLocality: event.city,
        addressCountry: event.country,
      },
    },
    offers,
  };
}

/**
 * JSON for an inline `<script type="application/ld+json">`: `<` escaped, so a name such as
 * `</script>` cannot end the element early.
 */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
