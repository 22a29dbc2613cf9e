import type { Browser } from 'playwright-core';
import { api, createEventViaApi } from '../support/api';
import {
  createEventInSellForm,
  eventually,
  failOnConsoleErrors,
  launchBrowser,
  lighthouseSeo,
  listTicketViaApi,
  newVisitor,
  PASSWORD,
  payWithCard,
  signUpInBrowser,
  snapshot,
  uniqueEmail,
} from '../support/browser';
import { startSystem, type System } from '../support/system';

failOnConsoleErrors();

const DAY = 86_400_000;

/**
 * The marketplace around events, in Chromium against the whole system: a buyer browses upcoming
 * events, filters them (the URL keeps the filters), opens an event and buys one of its listings;
 * a seller creates an event while listing, takes the listing down and relists it. Event, home and
 * ticket pages score 100 in Lighthouse's SEO category.
 */
describe('the web client: events, filters, the event page and a seller’s listings', () => {
  let system: System;
  let browser: Browser;
  let gateway: string;
  const tag = `Fest${Date.now().toString(36)}`;
  let eventId: string;
  let cheapId: string;

  beforeAll(async () => {
    system = await startSystem({
      services: ['auth', 'tickets', 'orders', 'payments', 'expiration'],
      web: true,
    });
    gateway = system.gateway!.url;
    browser = await launchBrowser();

    // One event with three listings at different prices and seats, and other events to browse.
    const seller = await api(gateway, 'POST', '/api/users/signup', {
      body: { email: uniqueEmail('seller'), password: PASSWORD },
    });
    const token = seller.body.token as string;
    eventId = await createEventViaApi(gateway, token, {
      name: `${tag} Arctic Nights`,
      venue: 'Royal Albert Hall',
      city: 'London',
      startsAt: new Date(Date.now() + 20 * DAY).toISOString(),
      category: 'concert',
    });
    const listings = [
      { section: 'Stalls', row: 'K', seat: '14', price: 8900, note: 'Aisle seat, great view of the stage' },
      { section: 'Circle', row: 'B', seat: '3', price: 4500 },
      { price: 12000, note: 'Standing, front of the arena' },
    ];
    const ids: string[] = [];
    for (const listing of listings) {
      const created = await api(gateway, 'POST', '/api/tickets', {
        token,
        body: { eventId, currency: 'gbp', ...listing },
      });
      if (created.status !== 201) throw new Error(`listing failed: ${JSON.stringify(created.body)}`);
      ids.push(created.body.id as string);
    }
    cheapId = ids[1]!;
    await listTicketViaApi(gateway, {
      title: `${tag} Derby Day`,
      price: 6000,
      currency: 'gbp',
      event: {
        city: 'Manchester',
        venue: 'Old Trafford',
        category: 'sports',
        startsAt: new Date(Date.now() + 10 * DAY).toISOString(),
      },
    });
    await listTicketViaApi(gateway, {
      title: `${tag} Hamlet`,
      price: 3500,
      currency: 'eur',
      event: {
        city: 'Paris',
        venue: 'Théâtre du Châtelet',
        country: 'FR',
        timezone: 'Europe/Paris',
        category: 'theatre',
        startsAt: new Date(Date.now() + 40 * DAY).toISOString(),
      },
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('browse → filter (in the URL, kept on reload) → event page → buy', async () => {
    const buyer = await newVisitor(browser, gateway);
    const { page } = buyer;
    await signUpInBrowser(page, 'buyer');

    // Suggestions as you type, with the keyboard; Escape closes them.
    await page.goto('/');
    const search = page.getByRole('combobox', { name: 'Search events' });
    await search.fill(`${tag} arctic`);
    const option = page.getByRole('option', { name: new RegExp(`${tag} Arctic Nights`) });
    await option.waitFor();
    await snapshot(page, 'home-suggestions');
    await search.press('Escape');
    await expect(page.getByRole('listbox').isVisible()).resolves.toBe(false);

    // Searching lists the upcoming events, soonest first, with their lowest price and count.
    await eventually(
      page,
      `/?q=${encodeURIComponent(tag)}`,
      async () => (await page.getByTestId('event-card').count()) === 3,
      'the three events of this test on the marketplace',
    );
    await expect(page.getByTestId('event-card').first().textContent()).resolves.toContain('Derby Day');
    await expect(
      page.getByTestId('event-card').filter({ hasText: 'Arctic Nights' }).textContent(),
    ).resolves.toContain('From £45.00 · 3 on sale');
    await snapshot(page, 'home');

    // Filters land in the URL; a reload renders the same from it.
    await page.getByLabel('Category').selectOption('concert');
    await page.getByLabel('City').fill('london');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((url) => url.searchParams.get('category') === 'concert');
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: tag, city: 'london', category: 'concert' });
    await expect(page.getByTestId('event-card').count()).resolves.toBe(1);
    await page.reload();
    await expect(page.getByLabel('City').inputValue()).resolves.toBe('london');
    await expect(page.getByLabel('Category').inputValue()).resolves.toBe('concert');
    await expect(page.getByTestId('event-card').count()).resolves.toBe(1);
    await snapshot(page, 'home-filtered');

    // Sorting by price shows the listings instead, cheapest first.
    await page.getByLabel('Sort by').selectOption('price');
    await page.waitForURL((u) => u.searchParams.get('sort') === 'price');
    await page.getByTestId('ticket-card').first().waitFor();
    const prices = await page.getByTestId('ticket-card').locator('.price').allTextContents();
    expect(prices).toEqual(['£45.00', '£89.00', '£120.00']);
    // A price cap (major units in the URL, minor units to the API).
    await page.getByLabel('Max price').fill('100');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((u) => u.searchParams.get('maxPrice') === '100');
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
      q: tag,
      city: 'london',
      category: 'concert',
      maxPrice: '100',
      sort: 'price',
    });
    await expect(page.getByTestId('ticket-card').locator('.price').allTextContents()).resolves.toEqual([
      '£45.00',
      '£89.00',
    ]);
    await page.reload();
    await expect(page.getByLabel('Max price').inputValue()).resolves.toBe('100');
    await expect(page.getByTestId('ticket-card').count()).resolves.toBe(2);

    // Keyboard: arrow down to the suggestion, Enter opens the event.
    await page.goto('/');
    await search.fill(`${tag} arctic`);
    await option.waitFor();
    // Down through the suggestions (soonest first) to this event's; the highlight is the active descendant.
    const highlighted = async () => {
      const active = await search.getAttribute('aria-activedescendant');
      return active ? ((await page.locator(`[id="${active}"]`).textContent()) ?? '') : '';
    };
    for (let step = 0; step < 5 && !(await highlighted()).includes('Arctic Nights'); step++) {
      await search.press('ArrowDown');
    }
    expect(await highlighted()).toContain('Arctic Nights');
    await expect(
      page.getByRole('option', { name: new RegExp(`${tag} Arctic Nights`) }).getAttribute('aria-selected'),
    ).resolves.toBe('true');
    await search.press('Enter');
    await page.waitForURL(`**/events/${eventId}`);

    // The event page: details, listings by price with seats and notes, and the hold length.
    await page.getByRole('heading', { name: `${tag} Arctic Nights` }).waitFor();
    await expect(page.getByTestId('event-offer').textContent()).resolves.toBe('From £45.00 · 3 on sale');
    const rows = page.getByTestId('event-listing');
    await expect(rows.locator('[data-testid="listing-price"]').allTextContents()).resolves.toEqual([
      '£45.00',
      '£89.00',
      '£120.00',
    ]);
    // The platform fee on top of each price (10 % + £0.79 in gbp), and the total.
    await expect(rows.nth(0).getByTestId('listing-fee').textContent()).resolves.toBe(
      'GBP · + £5.29 fee = £50.29',
    );
    await expect(rows.nth(0).textContent()).resolves.toContain('Section Circle · Row B · Seat 3');
    await expect(rows.nth(1).textContent()).resolves.toContain('Aisle seat, great view of the stage');
    await expect(page.getByTestId('hold-notice').textContent()).resolves.toContain(
      'held for you for 15 minutes while you pay',
    );
    const jsonLd = JSON.parse(
      (await page.locator('script[type="application/ld+json"]').textContent()) ?? '{}',
    ) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON-LD is free-form
    expect(jsonLd).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'MusicEvent',
      name: `${tag} Arctic Nights`,
      eventStatus: 'https://schema.org/EventScheduled',
      location: {
        '@type': 'Place',
        name: 'Royal Albert Hall',
        address: { '@type': 'PostalAddress', addressLocality: 'London', addressCountry: 'GB' },
      },
      offers: {
        '@type': 'AggregateOffer',
        lowPrice: '45.00',
        priceCurrency: 'GBP',
        offerCount: 3,
        availability: 'https://schema.org/InStock',
      },
    });
    expect(jsonLd.startDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    // Rendered with the page's CSP nonce (the browser hides the attribute; the property keeps it).
    await expect(
      page
        .locator('script[type="application/ld+json"]')
        .evaluate((el) => (el as unknown as { nonce: string }).nonce),
    ).resolves.toMatch(/^[A-Za-z0-9+/=]{16,}$/);
    await snapshot(page, 'event');

    await rows
      .nth(0)
      .getByRole('button', { name: /^Buy for £50\.29/ })
      .click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    const orderId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByLabel('Card number').waitFor();
    await payWithCard(page, '4242 4242 4242 4242');
    await page.waitForURL(`**/orders/${orderId}/confirmation`, { timeout: 30_000 });
    await page.getByRole('heading', { name: 'You’re going!' }).waitFor();

    // The bought listing leaves the event page; its ticket page says it is sold, with its event linked.
    await eventually(
      page,
      `/events/${eventId}`,
      async () => (await page.getByTestId('event-listing').count()) === 2,
      'the event page without the bought listing',
    );
    await page.goto(`/tickets/${cheapId}`);
    await expect(page.getByTestId('ticket-event').getAttribute('href')).resolves.toBe(`/events/${eventId}`);
    await page.getByText('You bought this ticket', { exact: false }).waitFor();
    await buyer.context.close();
  }, 150_000);

  it('sell (creating the event) → take down → relist, with the status shown at each step', async () => {
    const seller = await newVisitor(browser, gateway);
    const { page } = seller;
    await signUpInBrowser(page, 'seller');
    const name = `${tag} Comedy Store Late`;

    await page.goto('/sell');
    await snapshot(page, 'sell');
    await createEventInSellForm(page, name, {
      venue: 'The Comedy Store',
      category: 'comedy',
      snapshotAs: 'sell-create-event',
    });
    await page.getByText('Event created.').waitFor();
    await page.getByLabel('Section').fill('A');
    await page.getByLabel('Row').fill('3');
    await page.getByLabel('Currency').selectOption('gbp');
    await page.getByLabel('Price (GBP)').fill('18.50');
    await page.getByLabel('Note for buyers (optional)').fill('Near the stage');
    await snapshot(page, 'sell-filled');
    await page.getByRole('button', { name: 'List ticket' }).click();
    await page.getByText('Your ticket is on sale.').waitFor();
    const ticketId = new URL(page.url()).pathname.split('/').pop()!;
    const stored = await api(gateway, 'GET', `/api/tickets/${ticketId}`);
    expect(stored.body).toMatchObject({
      title: `${name} · Section A, Row 3`,
      price: 1850,
      currency: 'gbp',
      section: 'A',
      row: '3',
      seat: null,
      note: 'Near the stage',
      status: 'available',
      event: { name, venue: 'The Comedy Store', city: 'London' },
    });

    // The same event again: the form says it found the existing one.
    await page.goto('/sell');
    await createEventInSellForm(page, `  ${name.toLowerCase()} `, {
      venue: 'the comedy store',
      category: 'comedy',
    });
    await page.getByText('Found existing event', { exact: false }).waitFor();
    await expect(page.getByTestId('chosen-event').textContent()).resolves.toContain(name);

    // Take down, then relist, from My listings.
    await page.goto('/my/listings');
    const listing = page.getByTestId('listing').filter({ hasText: name });
    await expect(listing.getByTestId('listing-status').textContent()).resolves.toBe('On sale');
    await listing.getByRole('button', { name: /^Take down/ }).click();
    await expect(listing.getByTestId('listing-notice').textContent()).resolves.toBe('Taken down.');
    await expect(listing.getByTestId('listing-status').textContent()).resolves.toBe('Taken down');
    expect((await api(gateway, 'GET', `/api/tickets/${ticketId}`)).body.status).toBe('unlisted');
    await snapshot(page, 'my-listings');

    // Buyers see it taken down on its page, with no Buy.
    const buyer = await newVisitor(browser, gateway);
    await signUpInBrowser(buyer.page, 'buyer');
    await buyer.page.goto(`/tickets/${ticketId}`);
    await buyer.page.getByText('The seller has taken this ticket down', { exact: false }).waitFor();
    await expect(buyer.page.getByRole('button', { name: /^Buy for/ }).count()).resolves.toBe(0);
    await buyer.context.close();

    await page.reload();
    await listing.getByRole('button', { name: /^Relist/ }).click();
    await listing.getByText('Back on sale.').waitFor();
    await expect(listing.getByTestId('listing-notice').textContent()).resolves.toBe('Back on sale.');
    await expect(listing.getByTestId('listing-status').textContent()).resolves.toBe('On sale');
    expect((await api(gateway, 'GET', `/api/tickets/${ticketId}`)).body.status).toBe('available');
    await seller.context.close();
  }, 120_000);

  it('says an event that has started is over, with no Buy', async () => {
    // An event cannot be created in the past: this one starts in two seconds.
    const seller = await api(gateway, 'POST', '/api/users/signup', {
      body: { email: uniqueEmail('seller'), password: PASSWORD },
    });
    const pastId = await createEventViaApi(gateway, seller.body.token as string, {
      name: `${tag} Sunrise Set`,
      startsAt: new Date(Date.now() + 2_000).toISOString(),
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const { context, page } = await newVisitor(browser, gateway);
    await page.goto(`/events/${pastId}`);
    await page.getByTestId('event-started').waitFor();
    await expect(page.getByRole('button', { name: /^Buy/ }).count()).resolves.toBe(0);
    await context.close();
  }, 30_000);

  it('scores 100 in Lighthouse’s SEO category on the home, event and ticket pages', async () => {
    const robots = await fetch(`${gateway}/robots.txt`);
    expect(robots.status).toBe(200);
    expect(await robots.text()).toContain(`Sitemap: ${gateway}/sitemap.xml`);
    const sitemap = await (await fetch(`${gateway}/sitemap.xml`)).text();
    expect(sitemap).toContain(`${gateway}/events/${eventId}`);

    const reports = await lighthouseSeo([
      `${gateway}/`,
      `${gateway}/events/${eventId}`,
      `${gateway}/tickets/${cheapId}`,
    ]);
    for (const report of reports) {
      expect({
        url: report.url,
        score: report.score,
        failed: report.failed,
        error: report.runtimeError,
      }).toEqual({
        url: report.url,
        score: 1,
        failed: [],
        error: undefined,
      });
    }
  }, 240_000);
});
