import type { Browser, Locator } from 'playwright-core';
import { waitFor } from '@glotixz/common/testing';
import { api, createEventViaApi } from '../support/api';
import {
  failOnConsoleErrors,
  launchBrowser,
  newVisitor,
  PASSWORD,
  payWithCard,
  signUpInBrowser,
  snapshot,
  uniqueEmail,
} from '../support/browser';
import { queryRows } from '../support/db';
import { startSystem, type System } from '../support/system';

failOnConsoleErrors();

/**
 * After paying, the buyer opens the e-ticket (QR code, event, seat; PDF and calendar file beside
 * it); the organizer adds a door steward, whose event page leads to the scanner, where the steward
 * types the code: admitted once, then already admitted. A refunded order's e-ticket reads void.
 */
describe('the web client: the e-ticket and the door', () => {
  let system: System;
  let browser: Browser;
  let gateway: string;

  beforeAll(async () => {
    system = await startSystem({ services: ['auth', 'tickets', 'orders', 'payments'], web: true });
    gateway = system.gateway!.url;
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('shows the bought e-ticket, serves its PDF and calendar file, and admits its code once', async () => {
    const organizerEmail = uniqueEmail('organizer');
    const organizer = await api(gateway, 'POST', '/api/users/signup', {
      body: { email: organizerEmail, password: PASSWORD },
    });
    expect(organizer.status).toBe(201);
    const token = organizer.body.token as string;
    const name = `Door Night ${Date.now()}`;
    const eventId = await createEventViaApi(gateway, token, {
      name,
      venue: 'Riverside Arena',
      city: 'London',
    });
    const listed = await api(gateway, 'POST', '/api/tickets', {
      token,
      body: { eventId, section: '112', row: 'F', seat: '7', price: 4_200, currency: 'usd' },
    });
    expect(listed.status).toBe(201);
    const ticketId = listed.body.id as string;
    await waitFor(
      async () =>
        (await queryRows(system.databases.orders, 'select 1 from tickets where id = $1', [ticketId])).length >
        0,
      20_000,
      'the orders replica to know the ticket',
    );

    const buyer = await newVisitor(browser, gateway);
    const buyerEmail = await signUpInBrowser(buyer.page, 'holder');
    // Someone who is neither organizer nor staff sees no way to the door.
    await buyer.page.goto(`/events/${eventId}`);
    await buyer.page.getByTestId('event-offer').waitFor();
    await expect(buyer.page.getByTestId('door-link').count()).resolves.toBe(0);
    await buyer.page.goto(`/tickets/${ticketId}`);
    await buyer.page.getByRole('button', { name: 'Buy for $47.19' }).click();
    await buyer.page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    const orderId = new URL(buyer.page.url()).pathname.split('/').pop()!;
    await payWithCard(buyer.page, '4242 4242 4242 4242');
    await buyer.page.waitForURL(`**/orders/${orderId}/confirmation`, { timeout: 30_000 });
    await buyer.page.getByTestId('eticket-link').click();
    await buyer.page.waitForURL(`**/orders/${orderId}/ticket`);

    const eticket = buyer.page.getByTestId('eticket');
    await eticket.waitFor();
    await expect(eticket.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(name);
    await expect(buyer.page.getByTestId('eticket-seat').textContent()).resolves.toBe(
      'Section 112 · Row F · Seat 7',
    );
    await expect(eticket.getByText(buyerEmail).count()).resolves.toBe(1);
    await expect(eticket.getByText('Riverside Arena, London, GB').count()).resolves.toBe(1);
    await expect(eticket.getByRole('img', { name: /^Ticket code for / }).count()).resolves.toBe(1);
    const code = (await buyer.page.getByTestId('eticket-code').textContent())!.trim();
    expect(code.split('.')).toHaveLength(3);
    await snapshot(buyer.page, 'eticket');

    const pdf = await buyer.page.request.get(`/api/orders/${orderId}/eticket.pdf`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const ics = await buyer.page.request.get(`/api/orders/${orderId}/eticket.ics`);
    expect(ics.status()).toBe(200);
    expect(ics.headers()['content-type']).toContain('text/calendar');
    expect(await ics.text()).toContain(`SUMMARY:${name}`);

    // At the door: the organizer adds a door steward, whose event page leads to the scanner,
    // where the steward types the code twice.
    const door = await newVisitor(browser, gateway);
    const stewardEmail = await signUpInBrowser(door.page, 'steward');
    const added = await api(gateway, 'POST', `/api/events/${eventId}/staff`, {
      token,
      body: { email: stewardEmail },
    });
    expect(added.status).toBe(201);
    await door.page.goto(`/events/${eventId}`);
    const doorLink = door.page.getByTestId('door-link');
    await expect(doorLink.textContent()).resolves.toBe('You are door staff: scan tickets');
    await snapshot(door.page, 'event-door-staff');
    const keys = door.page.waitForResponse((res) => new URL(res.url()).pathname === '/api/checkins/keys');
    await doorLink.getByRole('link').click();
    await door.page.waitForURL(`**/scan?event=${eventId}`);
    await keys;
    const result = door.page.getByTestId('scan-result');
    await door.page.getByLabel('Ticket code').fill(code);
    await door.page.getByRole('button', { name: 'Check in' }).click();
    await expect(waitForResult(result, 'admitted')).resolves.toContain('ADMITTED');
    await snapshot(door.page, 'scanner-admitted');
    await door.page.getByLabel('Ticket code').fill(code);
    await door.page.getByRole('button', { name: 'Check in' }).click();
    await expect(waitForResult(result, 'already')).resolves.toContain('ALREADY ADMITTED at');
    await snapshot(door.page, 'scanner-already-admitted');

    // Refunded: the e-ticket is void.
    await queryRows(system.databases.orders, `update orders set status = 'refunded' where id = $1`, [
      orderId,
    ]);
    await buyer.page.reload();
    await buyer.page.getByTestId('eticket-void').waitFor();
    await snapshot(buyer.page, 'eticket-void');
  });
});

/** The scanner's answer once it reads `kind`; its text. */
async function waitForResult(result: Locator, kind: string): Promise<string> {
  await result.and(result.page().locator(`[data-result="${kind}"]`)).waitFor();
  return (await result.textContent()) ?? '';
}
