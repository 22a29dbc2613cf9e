import { readSubject, waitFor } from '@glotixz/common/testing';
import type { Browser } from 'playwright-core';
import { api } from '../support/api';
import {
  failOnConsoleErrors,
  launchBrowser,
  newVisitor,
  PASSWORD,
  snapshot,
  uniqueEmail,
} from '../support/browser';
import { startSystem, type System } from '../support/system';

failOnConsoleErrors();

const NEW_PASSWORD = 'a brand new password';

/**
 * A forgotten password in Chromium: from the sign-in page to the forgot-password form, then the
 * link's page (its token read off the USERS stream, where notifications would pick it up), a new
 * password, and sign-in with it; a used or missing link says it doesn't work.
 */
describe('the web client: forgot password and reset password', () => {
  let system: System;
  let browser: Browser;
  let gateway: string;

  beforeAll(async () => {
    // Signing in lands on the marketplace, which tickets serves.
    system = await startSystem({ services: ['auth', 'tickets'], web: true });
    gateway = system.gateway!.url;
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  /** The token of the newest reset link mailed to `email`, once auth's outbox has published it. */
  async function tokenFor(email: string): Promise<string> {
    return waitFor(
      async () => {
        const messages = await readSubject(system.bus, 'user.password-reset-requested');
        const mine = messages
          .map((message) => (message.data as { data: { email: string; token: string } }).data)
          .filter((data) => data.email === email);
        return mine[mine.length - 1]?.token;
      },
      15_000,
      `a reset link for ${email}`,
    );
  }

  it('sends a link from the sign-in page, sets a new password with it, and signs in with that', async () => {
    const email = uniqueEmail('forgetful');
    const signup = await api(gateway, 'POST', '/api/users/signup', { body: { email, password: PASSWORD } });
    expect(signup.status).toBe(201);

    const { page } = await newVisitor(browser, gateway);
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(/\/forgot-password$/);
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await snapshot(page, 'forgot-password');

    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText(`If an account exists for ${email}, we’ve sent a link`).waitFor();
    await snapshot(page, 'forgot-password-sent');

    const token = await tokenFor(email);
    await page.goto(`/reset-password?token=${encodeURIComponent(token)}`);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    // Mismatched repetitions are caught on the page.
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill('something else entirely');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('The passwords do not match').waitFor();
    await snapshot(page, 'reset-password');

    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();
    await snapshot(page, 'reset-password-done');

    await page.locator('#main').getByRole('link', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/signin$/);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('That email and password do not match an account.').waitFor();
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // The link worked once.
    await page.goto(`/reset-password?token=${encodeURIComponent(token)}`);
    await page.getByLabel('New password', { exact: true }).fill('yet another password');
    await page.getByLabel('Repeat the new password').fill('yet another password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'This link doesn’t work' }).waitFor();
    await page.getByRole('link', { name: 'Send me a new link' }).waitFor();
  });

  it('says a link without a token does not work, and answers an unknown email like a known one', async () => {
    const { page } = await newVisitor(browser, gateway);
    await page.goto('/reset-password');
    await page.getByRole('heading', { name: 'This link doesn’t work' }).waitFor();
    await snapshot(page, 'reset-password-invalid');

    const unknown = uniqueEmail('nobody');
    await page.goto('/forgot-password');
    await page.getByLabel('Email').fill(unknown);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText(`If an account exists for ${unknown}, we’ve sent a link`).waitFor();
  });
});
