#!/usr/bin/env node
/**
 * The architecture check `npm run lint` runs: dependency-cruiser with the rules of
 * `.dependency-cruiser.cjs` over the sources of every workspace under the working directory (the
 * repository root). Prints each violation and exits 1 when there is one.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cruise } from 'dependency-cruiser';
import ts from 'typescript';

const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs');

/** The folders whose sources are checked, those of them that exist. */
export const SOURCE_ROOTS = [
  'common',
  'auth',
  'tickets',
  'orders',
  'payments',
  'expiration',
  'client',
  'e2e',
  'scripts',
];

/**
 * The client's tsconfig `paths` (`@/*` -> `./src/*`) as resolver aliases. dependency-cruiser's own
 * tsconfig support resolves paths against the working directory when a tsconfig has no
 * `baseUrl`, which the client's has not.
 */
function clientAliases() {
  const file = resolve('client', 'tsconfig.json');
  if (!existsSync(file)) return {};
  const { config: tsconfig, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const alias = {};
  for (const [pattern, [target]] of Object.entries(tsconfig.compilerOptions?.paths ?? {})) {
    alias[pattern.replace(/\/\*$/, '')] = join(dirname(file), target.replace(/\/\*$/, ''));
  }
  return alias;
}

/** Runs the check; answers the report and the number of violations. */
export async function checkArchitecture() {
  const roots = SOURCE_ROOTS.filter((root) => existsSync(root));
  const result = await cruise(
    roots,
    { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true, outputType: 'err' },
    { alias: clientAliases() },
  );
  return { report: result.output, violations: result.exitCode };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { report, violations } = await checkArchitecture();
  process.stdout.write(report);
  process.exitCode = violations > 0 ? 1 : 0;
}
