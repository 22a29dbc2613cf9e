import { performance } from 'node:perf_hooks';
import { startSystem } from '../test/support/system';
import { query } from './fixtures';
import { killOnExit, log, owned } from './harness';
import { keepAliveAgent, send } from './load';
import { databaseOf } from './system-figures';
import { distribution, type Distribution } from './stats';

/** The catalogue the search benchmark seeds: events, and available listings per event. */
const EVENTS = 5_000;
const LISTINGS_PER_EVENT = 20;

/** The latency target of every search and event-page query, at the service. */
export const SEARCH_TARGET_P99_MS = 50;

/** 100 acts, each touring 50 dates: adjective × noun, so a typo in one word still names one act. */
const adjectives = [
  'Crimson',
  'Velvet',
  'Silver',
  'Golden',
  'Midnight',
  'Electric',
  'Hollow',
  'Northern',
  'Wild',
  'Paper',
  'Neon',
  'Quiet',
  'Broken',
  'Scarlet',
  'Lunar',
  'Frozen',
  'Savage',
  'Gentle',
  'Cosmic',
  'Rusty',
  'Amber',
  'Iron',
  'Lucky',
  'Polar',
  'Violet',
];
const nouns = ['Harbor', 'Foxes', 'Lanterns', 'Orchestra'];
const categories = ['concert', 'sports', 'theatre', 'comedy', 'festival', 'other'];

/** [city, country, IANA zone, the currency most of its listings use]. */
const cities: [string, string, string, string][] = [
  ['London', 'GB', 'Europe/London', 'gbp'],
  ['Manchester', 'GB', 'Europe/London', 'gbp'],
  ['Paris', 'FR', 'Europe/Paris', 'eur'],
  ['Berlin', 'DE', 'Europe/Berlin', 'eur'],
  ['Köln', 'DE', 'Europe/Berlin', 'eur'],
  ['Madrid', 'ES', 'Europe/Madrid', 'eur'],
  ['Barcelona', 'ES', 'Europe/Madrid', 'eur'],
  ['Amsterdam', 'NL', 'Europe/Amsterdam', 'eur'],
  ['Dublin', 'IE', 'Europe/Dublin', 'eur'],
  ['Lisbon', 'PT', 'Europe/Lisbon', 'eur'],
  ['Vienna', 'AT', 'Europe/Vienna', 'eur'],
  ['Zürich', 'CH', 'Europe/Zurich', 'chf'],
  ['Kraków', 'PL', 'Europe/Warsaw', 'pln'],
  ['New York', 'US', 'America/New_York', 'usd'],
  ['Chicago', 'US', 'America/Chicago', 'usd'],
  ['Los Angeles', 'US', 'America/Los_Angeles', 'usd'],
  ['Toronto', 'CA', 'America/Toronto', 'cad'],
  ['São Paulo', 'BR', 'America/Sao_Paulo', 'brl'],
  ['Tokyo', 'JP', 'Asia/Tokyo', 'jpy'],
  ['Sydney', 'AU', 'Australia/Sydney', 'aud'],
];

const acts = adjectives.flatMap((adjective) => nouns.map((noun) => `${adjective} ${noun}`));

/**
 * One statement seeds the catalogue: `EVENTS` upcoming events (act `i % 100` on its tour through
 * the cities, one every 17 minutes from tomorrow on, at one of five venues of the city, in the
 * act's category), and `LISTINGS_PER_EVENT` available listings each, with seats and a derived
 * title, priced 15.00–299.99, one in four in usd and the rest in the city's currency, from 500
 * sellers. Written as tickets' own statements would leave the rows (status `available`, version 0).
 */
const seedSql = `
  with act as (
    select * from unnest($1::text[], $2::text[]) with ordinality as a(name, category, n)
  ), city as (
    select * from unnest($3::text[], $4::text[], $5::text[], $6::text[]) with ordinality as c(name, country, zone, currency, n)
  ), event as (
    insert into events (name, venue, city, country, starts_at, timezone, category, organizer_id)
    select act.name,
           city.name || ' ' || (array['Arena', 'Hall', 'Stadium', 'Theatre', 'Club'])[1 + i % 5],
           city.name, city.country, now() + interval '1 day' + i * interval '17 minutes', city.zone,
           act.category, md5('organizer' || i % 50)::uuid
    from generate_series(0, ${EVENTS - 1}) as i
    join act on act.n = 1 + i % ${acts.length}
    join city on city.n = 1 + (i / ${acts.length} + i) % ${cities.length}
    returning id, name, city, starts_at
  )
  insert into tickets (title, price, currency, user_id, event_id, starts_at, section, "row", seat, status)
  select event.name || ' · Section ' || (101 + g % 4) || ', Row ' || chr(65 + g % 8) || ', Seat ' || g,
         1500 + abs(hashtext(event.id::text || g)) % 28500,
         case when g % 4 = 0 then 'usd' else city.currency end,
         md5('seller' || abs(hashtext(event.id::text)) % 500)::uuid,
         event.id, event.starts_at, (101 + g % 4)::text, chr(65 + g % 8), g::text, 'available'
  from event join city on city.name = event.city
  cross join generate_series(1, ${LISTINGS_PER_EVENT}) as g`;

/** One measured query: what it asks, and its latency over the samples. */
export interface SearchQuery {
  name: string;
  /** One of the paths it sent, as an example. */
  example: string;
  latency: Distribution;
  /** Samples whose answer listed at least one item (the event page: was found). */
  found: number;
}

/** What the search benchmark measured. */
export interface SearchFigures {
  events: number;
  listings: number;
  seedMs: number;
  samples: number;
  queries: SearchQuery[];
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;

/** `name` lower-cased with one vowel changed, as a hurried buyer types it ("tayler swift"). */
function typo(name: string): string {
  const lower = name.toLowerCase();
  const vowels = [...lower].flatMap((c, i) => ('aeiou'.includes(c) ? [i] : []));
  const at = pick(vowels);
  const swap = pick([...'aeiou'].filter((v) => v !== lower[at]));
  return `${lower.slice(0, at)}${swap}${lower.slice(at + 1)}`;
}

/**
 * The query benchmark of the tickets service: a tickets database seeded with SQL with
 * {@link EVENTS} events and {@link LISTINGS_PER_EVENT}× as many available listings, the service
 * started on it, and each search and event-page query sent `samples` times one after another on
 * one keep-alive connection straight to the service (no gateway), each with other parameters.
 */
export async function searchFigures(samples = 300, warmup = 30): Promise<SearchFigures> {
  const system = await startSystem({ services: ['tickets'] });
  const stop = owned('search system', () => system.stop());
  killOnExit(() => [system.services.tickets.process]);
  try {
    const db = databaseOf(system, 'tickets');
    log(`seeding ${EVENTS} events and ${EVENTS * LISTINGS_PER_EVENT} listings`);
    const seeded = performance.now();
    await query(db, seedSql, [
      acts,
      acts.map((_, i) => categories[i % categories.length]),
      cities.map((c) => c[0]),
      cities.map((c) => c[1]),
      cities.map((c) => c[2]),
      cities.map((c) => c[3]),
    ]);
    await query(db, 'analyze events');
    await query(db, 'analyze tickets');
    const seedMs = performance.now() - seeded;
    const [counts] = await query<{ events: number; listings: number }>(
      db,
      `select (select count(*)::int from events) as events,
              (select count(*)::int from tickets where status = 'available') as listings`,
    );
    const eventIds = (await query<{ id: string }>(db, 'select id from events')).map((r) => r.id);

    const agent = keepAliveAgent(1);
    const origin = new URL(system.services.tickets.url);
    const get = async (path: string) => {
      const res = await send(agent, origin, { method: 'GET', path });
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.body}`);
      return JSON.parse(res.body) as { items?: unknown[]; nextCursor?: string | null };
    };
    const priceRange = () => {
      const min = 1500 + Math.floor(Math.random() * 26_000);
      return `minPrice=${min}&maxPrice=${min + 2_000}&sort=price`;
    };
    /** Each query: a name and the path of one sample, built (and any page before it fetched) untimed. */
    const plans: { name: string; path: () => string | Promise<string> }[] = [
      {
        name: 'GET /api/events?q=<typo of a name>',
        path: () => `/api/events?q=${encodeURIComponent(typo(pick(acts)))}`,
      },
      {
        name: 'GET /api/events?city=&category=',
        path: () => `/api/events?city=${encodeURIComponent(pick(cities)[0])}&category=${pick(categories)}`,
      },
      { name: 'GET /api/events/:id', path: () => `/api/events/${pick(eventIds)}` },
      {
        name: 'GET /api/tickets?eventId=&sort=price',
        path: () => `/api/tickets?eventId=${pick(eventIds)}&sort=price`,
      },
      {
        name: 'GET /api/tickets?minPrice=&maxPrice=&sort=price, next page',
        path: async () => {
          const range = priceRange();
          const first = await get(`/api/tickets?${range}`);
          if (!first.nextCursor) throw new Error(`no second page for ${range}`);
          return `/api/tickets?${range}&cursor=${encodeURIComponent(first.nextCursor)}`;
        },
      },
    ];

    const queries: SearchQuery[] = [];
    try {
      for (const plan of plans) {
        log(`search: ${plan.name}`);
        const latencies: number[] = [];
        let found = 0;
        let example = '';
        for (let i = 0; i < warmup + samples; i += 1) {
          const path = await plan.path();
          const sent = performance.now();
          const body = await get(path);
          const ms = performance.now() - sent;
          if (i < warmup) continue;
          latencies.push(ms);
          example ||= path;
          if (body.items === undefined || body.items.length > 0) found += 1;
        }
        queries.push({ name: plan.name, example, latency: distribution(latencies), found });
      }
    } finally {
      agent.destroy();
    }
    return {
      events: counts?.events ?? 0,
      listings: counts?.listings ?? 0,
      seedMs,
      samples,
      queries,
    };
  } finally {
    await stop();
  }
}
