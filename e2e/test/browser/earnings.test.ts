import type { Browser } from 'playwright-core';
import { waitFor } from '@glotixz/common/testing';
import { api, createEventViaApi } from '../support/api';
import {
  eventually,
  failOnConsoleErrors,
  launchBrowser,
  newVisitor,
  PASSWORD,
  signInOnPage,
  snapshot,
  uniqueEmail,
} from '../support/browser';
import { startSystem, type System } from '../support/system';

failOnConsoleErrors();

/**
 * A seller gets paid, in Chromium: "Get paid" on the earnings page opens Stripe's hosted
 * onboarding (the sandbox's page), completing it comes back with payouts on; a sale shows with
 * price, fee and what the seller receives, scheduled for a day after its event, then paid out once
 * payments' payout clock (`CLOCK_OFFSET_SECONDS`) is moved past that day.
 */
describe('the web client: earnings and payouts', () => {
  let system: System;
  let browser: Browser;
  let site: string;
  const DAY_MS = 86_400_000;
  const HOLD_SECONDS = 86_400;

  beforeAll(async () => {
    system = await startSystem({
      services: ['auth', 'tickets', 'orders', 'payments'],
      web: true,
      env: { payments: { PAYOUT_HOLD_SECONDS: String(HOLD_SECONDS), PAYOUT_INTERVAL_SECONDS: '1' } },
    });
    // Stripe sends the seller back to PUBLIC_URL, http://localhost:<gateway>: the cookie's host.
    site = system.gateway!.url.replace('127.0.0.1', 'localhost');
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('onboards through Stripe and shows a sale scheduled, then paid out', async () => {
    const email = uniqueEmail('seller');
    const signedUp = await api(site, 'POST', '/api/users/signup', { body: { email, password: PASSWORD } });
    expect(signedUp.status).toBe(201);
    const seller = await newVisitor(browser, site);
    await seller.page.goto('/signin?next=/my/earnings');
    await signInOnPage(seller.page, email);
    await seller.page.waitForURL('**/my/earnings');
    await seller.page.getByRole('heading', { name: 'Get paid' }).waitFor();
    await expect(seller.page.getByTestId('sales-empty').count()).resolves.toBe(1);
    await snapshot(seller.page, 'earnings-get-paid');

    await seller.page.getByRole('button', { name: 'Get paid' }).click();
    await seller.page.getByRole('button', { name: 'Complete onboarding' }).waitFor();
    await snapshot(seller.page, 'stripe-onboarding');
    await seller.page.getByRole('button', { name: 'Complete onboarding' }).click();
    await seller.page.waitForURL('**/my/earnings?onboarding=done');
    await eventually(
      seller.page,
      '/my/earnings',
      async () => (await seller.page.getByTestId('payout-account').getAttribute('data-status')) === 'enabled',
      'payouts to be on',
    );

    // A sale for an event in three days, paid out a day after it starts.
    const token = signedUp.body.token as string;
    const eventId = await createEventViaApi(site, token, {
      name: `Earnings Night ${Date.now()}`,
      startsAt: new Date(Date.now() + 3 * DAY_MS).toISOString(),
    });
    const listed = await api(site, 'POST', '/api/tickets', {
      token,
      body: { eventId, section: 'Floor', price: 2_500, currency: 'usd' },
    });
    expect(listed.status).toBe(201);
    const buyer = await api(site, 'POST', '/api/users/signup', {
      body: { email: uniqueEmail('buyer'), password: PASSWORD },
    });
    const order = await waitFor(
      async () => {
        const res = await api(site, 'POST', '/api/orders', {
          token: buyer.body.token as string,
          body: { ticketId: listed.body.id },
        });
        return res.status === 404 ? undefined : res;
      },
      15_000,
      'the orders replica to know the ticket',
    );
    expect(order.status).toBe(201);
    const paid = await waitFor(
      async () => {
        const res = await api(site, 'POST', '/api/payments', {
          token: buyer.body.token as string,
          body: { orderId: order.body.id, paymentMethodId: 'pm_card_visa' },
        });
        return res.status === 404 ? undefined : res;
      },
      15_000,
      'payments to know the order',
    );
    expect(paid.status).toBe(201);

    await eventually(
      seller.page,
      '/my/earnings',
      async () => (await seller.page.getByTestId('sale-row').count()) === 1,
      'the sale to show',
    );
    const row = seller.page.getByTestId('sale-row');
    await expect(row.textContent()).resolves.toContain('you receive $25.00');
    await expect(row.getAttribute('data-status')).resolves.toBe('scheduled');
    await snapshot(seller.page, 'earnings-scheduled');

    // Four days later, by payments' payout clock: the sale is due, and paid out.
    const [{ transferAt }] = (await api(site, 'GET', '/api/payouts', { token })).body.items as [
      { transferAt: string },
    ];
    const offsetSeconds = Math.ceil((Date.parse(transferAt) - Date.now()) / 1000) + 60;
    await system.services.payments.restart({ env: { CLOCK_OFFSET_SECONDS: String(offsetSeconds) } });
    await eventually(
      seller.page,
      '/my/earnings',
      async () => (await seller.page.getByTestId('sale-row').getAttribute('data-status')) === 'paid',
      'the payout after the event started',
    );
    await expect(seller.page.getByTestId('totals-usd').textContent()).resolves.toContain('$25.00');
    await snapshot(seller.page, 'earnings-paid');
  });
});
