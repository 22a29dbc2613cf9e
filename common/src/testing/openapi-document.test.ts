import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { mountDocs } from '../express/openapi';
import { committedOpenApiDrift, formatOpenApi } from './openapi-document';

const document = { openapi: '3.0.3', info: { title: 'Things', version: '1.0.0' }, paths: {} };
const app = express();
mountDocs(app, '/api/things/docs', document);

let dir: string;
let file: string;
const check = () =>
  committedOpenApiDrift({ app, docsPath: '/api/things/docs', file, command: 'npm run openapi:write' });

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'openapi-document-'));
  file = path.join(dir, 'openapi.json');
});
afterEach(() => {
  delete process.env.OPENAPI_WRITE;
  rmSync(dir, { recursive: true, force: true });
});

describe('committedOpenApiDrift', () => {
  it('answers null when the committed file is the served document', async () => {
    writeFileSync(file, formatOpenApi(document));
    expect(await check()).toBeNull();
  });

  it('names the first differing line and the command when the file is stale', async () => {
    writeFileSync(file, formatOpenApi({ ...document, info: { title: 'Old things', version: '1.0.0' } }));
    const drift = await check();
    expect(drift).toContain('first at line 4');
    expect(drift).toContain('(served `"title": "Things",`, committed `"title": "Old things",`)');
    expect(drift).toContain('run `npm run openapi:write`');
  });

  it('names the command when the file is missing', async () => {
    expect(await check()).toBe(`${file} is missing; run \`npm run openapi:write\``);
  });

  it('writes the served document with OPENAPI_WRITE=1', async () => {
    process.env.OPENAPI_WRITE = '1';
    expect(await check()).toBeNull();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(document);
  });
});
