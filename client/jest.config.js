const preset = require('../jest.preset.js')(__dirname);

/** Unit tests of the client's pure helpers (money, paths, cards, errors); pages are covered by e2e/test/browser. */
module.exports = {
  ...preset,
  moduleNameMapper: { ...preset.moduleNameMapper, '^@/(.*)$': '<rootDir>/src/$1' },
};
