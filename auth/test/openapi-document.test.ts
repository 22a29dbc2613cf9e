import path from 'node:path';
import { committedOpenApiDrift } from '@glotixz/common/testing';
import { startAuthHarness, type AuthHarness } from './auth-harness';

let h: AuthHarness;

beforeAll(async () => {
  h = await startAuthHarness();
});
afterAll(async () => {
  await h.close();
});

describe('the committed OpenAPI document', () => {
  it('is the document the service serves, which the web client generates its types from', async () => {
    const drift = await committedOpenApiDrift({
      app: h.app,
      docsPath: '/api/users/docs',
      file: path.join(__dirname, '..', 'openapi.json'),
      command: 'npm run openapi:write -w @glotixz/auth',
    });
    expect(drift).toBeNull();
  });
});
