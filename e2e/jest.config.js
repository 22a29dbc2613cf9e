const preset = require('../jest.preset.js')(__dirname);

// The launch spec and the private servers are the stack runner's ES modules (scripts/), compiled
// to CommonJS for jest's module loader.
const esm = ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }];

module.exports = { ...preset, transform: { ...preset.transform, '^.+\\.mjs$': esm }, testTimeout: 60000 };
