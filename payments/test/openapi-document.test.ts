import path from 'node:path';
import { committedOpenApiDrift } from '@glotixz/common/testing';
import { startPaymentsHarness, type PaymentsHarness } from './payments-harness';

let h: PaymentsHarness;

beforeAll(async () => {
  h = await startPaymentsHarness();
});
afterAll(async () => {
  await h.close();
});

describe('the committed OpenAPI document', () => {
  it('is the document the service serves, which the web client generates its types from', async () => {
    const drift = await committedOpenApiDrift({
      app: h.app,
      docsPath: '/api/payments/docs',
      file: path.join(__dirname, '..', 'openapi.json'),
      command: 'npm run openapi:write -w @glotixz/payments',
    });
    expect(drift).toBeNull();
  });
});
