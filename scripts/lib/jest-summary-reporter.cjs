/**
 * A jest reporter that writes the run's counts to $GLOTIXZ_TEST_RESULTS_DIR/<workspace>.json, so
 * `npm test` can print one total over every test runner. Does nothing when the variable is unset.
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

class JestSummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.GLOTIXZ_TEST_RESULTS_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const summary = {
      runner: 'jest',
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    writeFileSync(path.join(dir, `${path.basename(this.rootDir)}.json`), JSON.stringify(summary));
  }
}

module.exports = JestSummaryReporter;
