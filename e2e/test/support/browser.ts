import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { api, createEventViaApi, type EventInput } from './api';
import { CHROMIUM_FLAGS, chromiumPath } from './chromium.mjs';

/** Screenshots land here (gitignored), one file per page and width. */
export const ARTIFACTS = path.resolve(__dirname, '../../artifacts');

/** Debian's Chromium (never a downloaded build); `npm test` passes CHROMIUM_PATH. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_FLAGS] });
}

/** What Lighthouse found of one page's SEO: the category score (0–1) and the audits that failed. */
export interface SeoReport {
  url: string;
  score: number | null;
  failed: { id: string; title: string }[];
  runtimeError?: string;
}

/** Lighthouse's SEO category of each URL, in the same Chromium with the same flags. */
export function lighthouseSeo(urls: string[]): Promise<SeoReport[]> {
  const script = path.join(__dirname, 'lighthouse-seo.mjs');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...urls],
      { timeout: 120_000 * urls.length, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`lighthouse failed: ${error.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout) as SeoReport[]);
        } catch {
          reject(new Error(`lighthouse printed no report:\n${stdout}\n${stderr}`));
        }
      },
    );
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
  // From the top, so the sticky header is where a visitor sees it, not halfway down the image.
  await page.evaluate('window.scrollTo(0, 0)');
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

/**
 * Creates a user, an event named `title` and a ticket for it (no seat, so its title is the
 * event's name) through the gateway's API, as a seller's script would.
 */
export async function listTicketViaApi(
  gateway: string,
  ticket: {
    title: string;
    price: number;
    currency?: string;
    event?: Omit<EventInput, 'name'>;
    section?: string;
    row?: string;
    seat?: string;
    note?: string;
  },
): Promise<{ id: string; eventId: string; sellerToken: string }> {
  const seller = await api(gateway, 'POST', '/api/users/signup', {
    body: { email: uniqueEmail('seller'), password: PASSWORD },
  });
  if (seller.status !== 201) throw new Error(`signup failed: ${seller.status}`);
  const token = seller.body.token as string;
  const { title, event, ...listing } = ticket;
  const eventId = await createEventViaApi(gateway, token, { name: title, ...event });
  const created = await api(gateway, 'POST', '/api/tickets', { token, body: { eventId, ...listing } });
  if (created.status !== 201) throw new Error(`ticket creation failed: ${JSON.stringify(created.body)}`);
  return { id: created.body.id as string, eventId, sellerToken: token };
}

/**
 * On the sell page, creates the event named `name` (or is told it exists) through the form, so
 * the listing step opens. Starts 30 days ahead, 20:00 in London, at `venue`.
 */
export async function createEventInSellForm(
  page: Page,
  name: string,
  options: { venue?: string; city?: string; category?: string; snapshotAs?: string } = {},
): Promise<void> {
  await page.getByLabel('Search for the event').fill(name);
  // The suggestions offer to create what was typed when it is not there.
  await page.getByRole('button', { name: /^\+ Create .* as a new event$/ }).click();
  await expect(page.getByLabel('Event name').inputValue()).resolves.toBe(name);
  await page.getByLabel('Venue').fill(options.venue ?? 'Riverside Arena');
  await page.getByLabel('City').fill(options.city ?? 'London');
  await page.getByLabel('Country').selectOption('GB');
  await page.getByLabel('Category').selectOption(options.category ?? 'concert');
  const day = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('Date and start time').fill(`${day}T20:00`);
  await page.getByLabel('Time zone').selectOption('Europe/London');
  if (options.snapshotAs) await snapshot(page, options.snapshotAs);
  await page.getByRole('button', { name: 'Save event' }).click();
  await page.getByTestId('chosen-event').waitFor();
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
