import type { Browser } from 'playwright-core';
import {
  failOnConsoleErrors,
  launchBrowser,
  newVisitor,
  signUpInBrowser,
  snapshot,
} from '../support/browser';
import { startSystem, type System } from '../support/system';
import { forgedEticket } from '../support/tokens';

failOnConsoleErrors();

/**
 * The door scanner with a typed code: a code that is not a genuine e-ticket is refused on the
 * device, checked against the published keys, without asking tickets.
 */
describe('the web client: the door scanner', () => {
  let system: System;
  let browser: Browser;
  let gateway: string;

  beforeAll(async () => {
    system = await startSystem({ services: ['auth', 'tickets'], web: true });
    gateway = system.gateway!.url;
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('refuses typed forged codes at once, without a check-in request', async () => {
    const { page } = await newVisitor(browser, gateway);
    await signUpInBrowser(page, 'door');
    const checkins: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/checkins') {
        checkins.push(request.url());
      }
    });
    const keys = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/checkins/keys');
    await page.goto('/scan');
    const { keys: published } = (await (await keys).json()) as { keys: { kid: string }[] };
    const kid = published[0]?.kid;
    expect(kid).toBeTruthy();
    const forged = {
      // Every part of a real code but the signature, made with a key the system never had.
      'signed with another key': forgedEticket(kid!),
      'a signature that is no signature': 'eyJhbGciOiJFUzI1NiJ9.eyJ0aWQiOiJ4In0.forged',
    };
    for (const [what, code] of Object.entries(forged)) {
      await page.getByLabel('Ticket code').fill(code);
      await page.getByRole('button', { name: 'Check in' }).click();
      const result = page.getByTestId('scan-result');
      await result.waitFor();
      expect({ what, result: await result.getAttribute('data-result') }).toEqual({ what, result: 'invalid' });
      expect(await result.textContent()).toContain('NOT A VALID TICKET');
      if (what === 'signed with another key') await snapshot(page, 'scanner-forged-code');
    }
    expect(checkins).toEqual([]);
  });
});
