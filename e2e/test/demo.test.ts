import { waitFor } from '@glotixz/common/testing';
import { seedDemo } from '../../scripts/demo.mjs';
import { api } from './support/api';
import { queryRows } from './support/db';
import { startSystem, type System } from './support/system';

/**
 * `npm start -- --demo` against the real auth and tickets behind the gateway: the seeded
 * marketplace has about twenty upcoming events over several cities and categories and over a
 * hundred listings; the event that starts as seeding ends closes its listings by itself; a second
 * run adds nothing.
 */
describe('demo data', () => {
  let system: System;
  let gateway: string;
  const present = new Set(['auth', 'tickets']);

  beforeAll(async () => {
    system = await startSystem({
      services: ['auth', 'tickets'],
      gateway: true,
      env: { tickets: { EVENT_CLOSE_INTERVAL_SECONDS: '1' } },
    });
    gateway = system.gateway?.url ?? '';
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function upcomingEvents() {
    const events: { name: string; city: string; category: string; available: number }[] = [];
    let cursor = '';
    do {
      const page = await api(gateway, 'GET', `/api/events?limit=50${cursor}`);
      expect(page.status).toBe(200);
      events.push(...page.body.items);
      cursor = page.body.nextCursor ? `&cursor=${encodeURIComponent(page.body.nextCursor)}` : '';
    } while (cursor);
    return events;
  }

  it('seeds a marketplace to browse, closes the event that started, and seeds nothing twice', async () => {
    const lines = await seedDemo({ baseUrl: gateway, present });
    expect(lines.at(-1)).toMatch(/^demo listings: \d+ created$/);
    const events = await upcomingEvents();
    expect(events.length).toBeGreaterThanOrEqual(20);
    expect(new Set(events.map((e) => e.city)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(events.map((e) => e.category)).size).toBe(6);
    expect(events.reduce((n, e) => n + e.available, 0)).toBeGreaterThan(100);

    const closed = await waitFor(
      async () => {
        const rows = await queryRows<{ name: string; n: string }>(
          system.databases.tickets,
          `select e.name, count(*) as n from tickets t join events e on e.id = t.event_id
           where t.status = 'closed' group by e.name`,
        );
        return rows.length > 0 ? rows : undefined;
      },
      30_000,
      "the started event's listings to close",
    );
    expect(closed).toEqual([{ name: 'Open Mic Night at The Lantern', n: '3' }]);
    const upcoming = await upcomingEvents();
    expect(upcoming.map((e) => e.name)).not.toContain('Open Mic Night at The Lantern');
    expect(upcoming.length).toBeGreaterThanOrEqual(20);

    const again = await seedDemo({ baseUrl: gateway, present });
    expect(again.at(-1)).toBe('demo listings: 0 created');
    expect(await upcomingEvents()).toHaveLength(upcoming.length);
  });
});
