/**
 * Shared jest configuration for every workspace: TypeScript through @swc/jest, and
 * `@glotixz/common/*` resolved to its sources so tests never depend on a stale build.
 */
const path = require('node:path');

const commonSrc = path.join(__dirname, 'common', 'src');

/** @param {string} rootDir the workspace folder */
module.exports = function preset(rootDir) {
  return {
    rootDir,
    testEnvironment: 'node',
    transform: {
      '^.+\\.tsx?$': [
        '@swc/jest',
        { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
      ],
    },
    moduleNameMapper: {
      '^@glotixz/common$': path.join(commonSrc, 'index.ts'),
      '^@glotixz/common/(.*)$': path.join(commonSrc, '$1', 'index.ts'),
      '^@glotixz/stripe-sandbox$': path.join(__dirname, 'scripts', 'stripe-sandbox', 'src', 'index.ts'),
    },
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    testTimeout: 30000,
    reporters: ['default', path.join(__dirname, 'scripts', 'lib', 'jest-summary-reporter.cjs')],
  };
};
