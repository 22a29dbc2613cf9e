/**
 * The repository's Prettier settings, plus one exception: `next build` writes next-env.d.ts with
 * double quotes on every run, so that generated file is checked with Next's own quoting.
 */
const shared = require('../.prettierrc.json');

module.exports = {
  ...shared,
  overrides: [{ files: 'next-env.d.ts', options: { singleQuote: false } }],
};
