/**
 * Demo data for `npm start -- --demo` (scripts/demo-data.json), seeded through the gateway's public
 * API. A second run adds nothing: the API deduplicates events, and a seller's listings are counted
 * per event before more are made.
 */
import { readFileSync } from 'node:fs';

const DATA = JSON.parse(readFileSync(new URL('./demo-data.json', import.meta.url), 'utf8'));
const { password } = DATA;

/** The account to browse and buy with. */
export const DEMO_USER = { email: DATA.buyer, password };

/** The accounts that list the demo tickets. */
export const DEMO_SELLERS = DATA.sellers.map((email) => ({ email, password }));

/** Calls the API as JSON with the bearer token given: status, JSON (when it is) and text. */
async function call(baseUrl, method, path, { body, token } = {}) {
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: body && JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return { status: res.status, json: /^[[{]/.test(text) ? JSON.parse(text) : null, text };
}

/** Signs a user in, signing them up first when the account does not exist yet; answers the token. */
async function signIn(baseUrl, { email, password: secret }) {
  const body = { email, password: secret };
  const answer = await call(baseUrl, 'POST', '/api/users/signin', { body }).catch(() =>
    call(baseUrl, 'POST', '/api/users/signup', { body }),
  );
  return answer.json.token;
}

/** The instant at which the wall clock of `timeZone` shows `hh:mm`, `inDays` days after today there. */
export function wallClockIn(timeZone, inDays, hhmm, now = new Date()) {
  // What the zone's clock shows at an instant, read as a UTC time (sv-SE writes "2026-03-27 21:00:00").
  const clock = (instant) =>
    Date.parse(`${instant.toLocaleString('sv-SE', { timeZone, hourCycle: 'h23' }).replace(' ', 'T')}Z`);
  const today = new Date(clock(now));
  const [hour, minute] = hhmm.split(':').map(Number);
  const wanted = Date.UTC(
    today.getUTCFullYear(),
    today.getUTCMonth(),
    today.getUTCDate() + inDays,
    hour,
    minute,
  );
  // The zone's offset at that moment: what its clock shows at the UTC reading, less the reading.
  return new Date(wanted - (clock(new Date(wanted)) - wanted)).toISOString();
}

/** The listings planned for the `index`-th event: seats in its sections, prices around its own. */
function plannedListings(event, index) {
  const count = 4 + (index % 4);
  return Array.from({ length: count }, (_, k) => {
    const seat = event.sections.length
      ? {
          section: event.sections[k % event.sections.length],
          row: String.fromCharCode(65 + ((index + k) % 12)),
          seat: String(1 + ((index * 7 + k * 3) % 30)),
        }
      : {};
    return {
      seller: (index + k) % DEMO_SELLERS.length,
      body: {
        ...seat,
        price: Math.round(event.price * (1 + 0.15 * (k % 4))),
        currency: event.currency,
        ...(k === 1 ? { note: 'Aisle seat, great view of the stage' } : {}),
      },
    };
  });
}

/** How many listings each seller (by index) already has per event id. */
async function listingsPerEvent(baseUrl, tokens) {
  const counts = tokens.map(() => new Map());
  for (const [i, token] of tokens.entries()) {
    let cursor = '';
    do {
      const page = await call(baseUrl, 'GET', `/api/tickets/mine?limit=100${cursor}`, { token });
      for (const { eventId } of page.json.items) counts[i].set(eventId, (counts[i].get(eventId) ?? 0) + 1);
      cursor = page.json.nextCursor ? `&cursor=${encodeURIComponent(page.json.nextCursor)}` : '';
    } while (cursor);
  }
  return counts;
}

/** Creates the event (or finds it) and the listings of it not there yet; answers how many it made. */
async function seedEvent(baseUrl, tokens, counts, event, listings) {
  const { name, venue, city, country, timezone, category, inDays, at, inSeconds } = event;
  const startsAt = inSeconds
    ? new Date(Date.now() + inSeconds * 1000).toISOString()
    : wallClockIn(timezone, inDays, at);
  const fields = { name, venue, city, country, timezone, category, startsAt };
  const { json: created } = await call(baseUrl, 'POST', '/api/events', { body: fields, token: tokens[0] });
  const made = new Map();
  let n = 0;
  for (const { seller, body } of listings) {
    const mine = (made.get(seller) ?? 0) + 1;
    made.set(seller, mine);
    if (mine <= (counts[seller].get(created.id) ?? 0)) continue;
    await call(baseUrl, 'POST', '/api/tickets', {
      body: { eventId: created.id, ...body },
      token: tokens[seller],
    });
    n += 1;
  }
  return n;
}

/** Seeds what the `present` services allow, through the API at `baseUrl`; answers lines telling what. */
export async function seedDemo({ baseUrl, present }) {
  if (!present.has('auth')) return ['no demo data: the auth service is not in this checkout'];
  await signIn(baseUrl, DEMO_USER);
  const tokens = [];
  for (const seller of DEMO_SELLERS) tokens.push(await signIn(baseUrl, seller));
  const lines = [
    `demo buyer: ${DEMO_USER.email} / ${DEMO_USER.password}`,
    `demo sellers: ${DEMO_SELLERS.map((s) => s.email).join(', ')} (same password)`,
  ];
  if (!present.has('tickets')) return lines;
  const counts = await listingsPerEvent(baseUrl, tokens);
  let created = 0;
  for (const [i, event] of DATA.events.entries())
    created += await seedEvent(baseUrl, tokens, counts, event, plannedListings(event, i));
  // The past event is made once: a run after it started finds its listings and leaves it be.
  const pastListings = plannedListings(DATA.past, 0)
    .slice(0, 3)
    .map((l) => ({ ...l, seller: 0 }));
  const { json: found } = await call(baseUrl, 'GET', `/api/tickets/mine?limit=100`, { token: tokens[0] });
  if (!found.items.some((t) => t.event?.name === DATA.past.name))
    created += await seedEvent(baseUrl, tokens, counts, DATA.past, pastListings);
  lines.push(
    `demo events: ${DATA.events.length} upcoming and "${DATA.past.name}", starting now (its listings close)`,
    `demo listings: ${created} created`,
  );
  return lines;
}
