import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { api, listTicket } from './api';

/** Screenshots land here (gitignored), one file per page and width. */
export const ARTIFACTS = path.resolve(__dirname, '../../artifacts');

/** Debian's Chromium (never a downloaded build); `npm test` passes CHROMIUM_PATH. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Desktop and phone viewports for screenshots. */
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * What the pages wrote to the console as errors, threw, or had blocked by the Content-Security-
 * Policy, since the last {@link failOnConsoleErrors} check. A 4xx answer the page asked for (a
 * reserved ticket's 409) is part of the flow and not counted, nor is Stripe.js being unreachable.
 */
const consoleProblems: string[] = [];
const EXPECTED_CONSOLE_ERRORS = [/^Failed to load resource: the server responded with a status of 4\d\d/];

function isStripeUrl(url: string): boolean {
  try {
    return new URL(url).hostname.endsWith('.stripe.com');
  } catch {
    return false;
  }
}

/** Runs in every page before its own scripts (init scripts are outside the page's CSP). */
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.effectiveDirective + ' blocked ' +
    (event.blockedURI || 'an inline script or style') + ' at ' + event.sourceFile + ':' + event.lineNumber);
});`;

/**
 * Fails the running test (after it) when any visitor's page logged a console error, threw, failed
 * to hydrate, or hit a CSP violation. Call once at the top of a browser test file.
 */
export function failOnConsoleErrors(): void {
  beforeEach(() => {
    consoleProblems.length = 0;
  });
  afterEach(() => {
    const seen = consoleProblems.splice(0);
    if (seen.length > 0) throw new Error(`the pages reported errors:\n${seen.join('\n')}`);
  });
}

/**
 * A fresh browser profile (its own cookies) on the system's gateway. Its console errors, page
 * errors and CSP violations are recorded for {@link failOnConsoleErrors}; `allowConsole` names
 * the console errors a test provokes on purpose.
 */
export async function newVisitor(
  browser: Browser,
  baseURL: string,
  options: { allowConsole?: RegExp[] } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport: DESKTOP, locale: 'en-US' });
  context.setDefaultTimeout(15_000);
  const allowed = [...EXPECTED_CONSOLE_ERRORS, ...(options.allowConsole ?? [])];
  await context.addInitScript({ content: REPORT_CSP_VIOLATIONS });
  context.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (allowed.some((pattern) => pattern.test(text))) return;
    // Stripe.js loads from Stripe's servers, which cannot be reached from here.
    if (text.startsWith('Failed to load resource') && isStripeUrl(message.location().url)) return;
    consoleProblems.push(`console error on ${message.page()?.url() ?? '?'}: ${text}`);
  });
  context.on('weberror', (error) => {
    consoleProblems.push(`page error at ${error.location().url}: ${error.error().message}`);
  });
  const page = await context.newPage();
  return { context, page };
}

/** Saves full-page screenshots of the page at desktop and phone width: `<name>.desktop.png`, `<name>.phone.png`. */
export async function snapshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const viewport = page.viewportSize() ?? DESKTOP;
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.phone.png`), fullPage: true });
  await page.setViewportSize(viewport);
}

/** A unique address for a test user. */
export function uniqueEmail(label: string): string {
  return `${label}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}@example.com`;
}

export const PASSWORD = 'correct horse battery';

/** Signs up through the sign-up page and waits until the header shows the account. */
export async function signUpInBrowser(page: Page, label: string): Promise<string> {
  const email = uniqueEmail(label);
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return email;
}

/** Fills the sign-in form (the page must be showing it). */
export async function signInOnPage(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Creates a user and a ticket through the gateway's API, as a seller's script would. */
export async function listTicketViaApi(
  gateway: string,
  ticket: { title: string; price: number; currency?: string },
): Promise<{ id: string; sellerToken: string }> {
  const seller = await api(gateway, 'POST', '/api/users/signup', {
    body: { email: uniqueEmail('seller'), password: PASSWORD },
  });
  if (seller.status !== 201) throw new Error(`signup failed: ${seller.status}`);
  const created = await listTicket(gateway, seller.body.token as string, ticket);
  if (created.status !== 201) throw new Error(`ticket creation failed: ${JSON.stringify(created.body)}`);
  return { id: created.body.id as string, sellerToken: seller.body.token as string };
}

/** Fills the sandbox card form and submits it. */
export async function payWithCard(page: Page, number: string): Promise<void> {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry (MM / YY)').fill('12 / 34');
  await page.getByLabel('Security code (CVC)').fill('123');
  await page.getByRole('button', { name: /^Pay / }).click();
}

/** Reloads `path` until `check` holds (the services settle through events). */
export async function eventually(
  page: Page,
  path: string,
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(path);
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(500);
  }
}
