import path from 'node:path';
import { committedOpenApiDrift } from '@glotixz/common/testing';
import { startTicketsHarness, type TicketsHarness } from './tickets-harness';

let h: TicketsHarness;

beforeAll(async () => {
  h = await startTicketsHarness();
});
afterAll(async () => {
  await h.close();
});

describe('the committed OpenAPI document', () => {
  it('is the document the service serves, which the web client generates its types from', async () => {
    const drift = await committedOpenApiDrift({
      app: h.app,
      docsPath: '/api/tickets/docs',
      file: path.join(__dirname, '..', 'openapi.json'),
      command: 'npm run openapi:write -w @glotixz/tickets',
    });
    expect(drift).toBeNull();
  });
});
