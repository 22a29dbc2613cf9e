// The Chromium the browser tests drive: Debian's (never a downloaded build), and its flags.
// Shared by Playwright's launcher (browser.ts) and Lighthouse's (lighthouse-seo.mjs).

/** Debian's Chromium; `npm test` passes CHROMIUM_PATH. */
export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** The flags every browser test starts Chromium with. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
