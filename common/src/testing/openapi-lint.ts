import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import request from 'supertest';

/** One finding of the OpenAPI linter. */
export interface LintProblem {
  rule: string;
  message: string;
  /** JSON pointer into the document, e.g. `#/paths/~1api~1tickets/get`. */
  pointer: string;
}

/** What {@link lintOpenApi} found, by severity. */
export interface LintReport {
  errors: LintProblem[];
  warnings: LintProblem[];
}

// Redocly's linter ships as ES modules only, which the test runner's CommonJS loader cannot load:
// it runs in a plain Node process that reads the document on stdin and answers on stdout.
const lintScript = `
const [moduleUrl] = process.argv.slice(1);
const { createConfig, lintFromString } = await import(moduleUrl);
let source = '';
for await (const chunk of process.stdin) source += chunk;
const config = await createConfig({ extends: ['recommended'] });
const problems = await lintFromString({ source, absoluteRef: 'openapi.json', config });
process.stdout.write(JSON.stringify(problems.map((p) => ({
  severity: p.severity,
  rule: p.ruleId,
  message: p.message,
  pointer: p.location?.[0]?.pointer ?? '',
}))));
`;

/**
 * Lints an OpenAPI document with Redocly's `recommended` rules, offline. A service's test serves
 * its document and expects no errors; warnings are for reading.
 */
export async function lintOpenApi(document: object): Promise<LintReport> {
  const moduleUrl = pathToFileURL(require.resolve('@redocly/openapi-core')).href;
  const output = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '--eval', lintScript, moduleUrl],
      { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`The OpenAPI linter failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
    child.stdin?.end(JSON.stringify(document));
  });
  const problems = JSON.parse(output) as (LintProblem & { severity: string })[];
  const pick = (severity: string) =>
    problems
      .filter((p) => p.severity === severity)
      .map(({ rule, message, pointer }) => ({ rule, message, pointer }));
  return { errors: pick('error'), warnings: pick('warn') };
}

/**
 * What must be fixed in the OpenAPI document a service serves at `${docsPath}/openapi.json`: every
 * error of Redocly's `recommended` rules and every operation without an `operationId`. A service's
 * test expects none.
 */
export async function servedOpenApiProblems(
  app: Parameters<typeof request>[0],
  docsPath: string,
): Promise<LintProblem[]> {
  const served = await request(app).get(`${docsPath}/openapi.json`).expect(200);
  const { errors, warnings } = await lintOpenApi(served.body as object);
  return [...errors, ...warnings.filter((w) => w.rule === 'operation-operationId')];
}
