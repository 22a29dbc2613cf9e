import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Express } from 'express';
import request from 'supertest';

/** Options of {@link committedOpenApiDrift}. */
export interface CommittedOpenApiOptions {
  app: Express;
  /** Where the service serves its docs, e.g. `/api/users/docs`. */
  docsPath: string;
  /** The committed copy of the document, e.g. `<service>/openapi.json`. */
  file: string;
  /** The command that rewrites `file`, named when the two differ. */
  command: string;
}

/** A document as it is committed: two-space JSON with a final newline. */
export function formatOpenApi(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Compares the OpenAPI document a service serves with its committed copy, the file other code
 * (the web client's generated types) is built from. Answers null when they agree, otherwise what
 * differs and the command that rewrites the file. With `OPENAPI_WRITE=1` in the environment it
 * writes the served document to the file instead, and answers null.
 */
export async function committedOpenApiDrift(options: CommittedOpenApiOptions): Promise<string | null> {
  const res = await request(options.app).get(`${options.docsPath}/openapi.json`);
  if (res.status !== 200) return `${options.docsPath}/openapi.json answered ${res.status}`;
  const served = formatOpenApi(res.body);
  if (process.env.OPENAPI_WRITE === '1') {
    writeFileSync(options.file, served);
    return null;
  }
  if (!existsSync(options.file)) return `${options.file} is missing; run \`${options.command}\``;
  const committed = readFileSync(options.file, 'utf8');
  if (committed === served) return null;
  const servedLines = served.split('\n');
  const committedLines = committed.split('\n');
  const line = servedLines.findIndex((text, i) => text !== committedLines[i]);
  const shown = (text: string | undefined) => (text === undefined ? 'nothing' : `\`${text.trim()}\``);
  return (
    `${options.file} differs from the document the service serves, first at line ${line + 1} ` +
    `(served ${shown(servedLines[line])}, committed ${shown(committedLines[line])}); ` +
    `run \`${options.command}\` and commit the result`
  );
}
