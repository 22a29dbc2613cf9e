// Lighthouse's SEO category for each URL given, in Debian's Chromium with the browser tests' flags.
//   node lighthouse-seo.mjs <url>...   prints [{ url, score, failed: [{ id, title }] }] as JSON
// Lighthouse ships as ES modules, which the test runner's CommonJS loader cannot load, so the
// browser tests run this in a plain Node process.
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_FLAGS, chromiumPath } from './chromium.mjs';

const urls = process.argv.slice(2);
if (urls.length === 0) {
  console.error('usage: node lighthouse-seo.mjs <url>...');
  process.exit(2);
}

const chrome = await chromeLauncher.launch({
  chromePath: chromiumPath(),
  chromeFlags: [...CHROMIUM_FLAGS, '--headless=new'],
  logLevel: 'silent',
});
try {
  const results = [];
  for (const url of urls) {
    const runner = await lighthouse(url, {
      port: chrome.port,
      onlyCategories: ['seo'],
      output: 'json',
      logLevel: 'error',
      formFactor: 'desktop',
      screenEmulation: { mobile: false, width: 1280, height: 800, deviceScaleFactor: 1, disabled: false },
    });
    const lhr = runner?.lhr;
    if (!lhr) throw new Error(`lighthouse gave no result for ${url}`);
    const failed = Object.values(lhr.audits)
      .filter((audit) => audit.scoreDisplayMode === 'binary' && audit.score !== 1)
      .filter((audit) => lhr.categories.seo.auditRefs.some((ref) => ref.id === audit.id && ref.weight > 0))
      .map((audit) => ({ id: audit.id, title: audit.title }));
    results.push({ url, score: lhr.categories.seo.score, failed, runtimeError: lhr.runtimeError?.message });
  }
  console.log(JSON.stringify(results));
} finally {
  chrome.kill();
}
