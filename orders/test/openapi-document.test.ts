import path from 'node:path';
import { committedOpenApiDrift } from '@glotixz/common/testing';
import { startOrdersHarness, type OrdersHarness } from './orders-harness';

let h: OrdersHarness;

beforeAll(async () => {
  h = await startOrdersHarness();
});
afterAll(async () => {
  await h.close();
});

describe('the committed OpenAPI document', () => {
  it('is the document the service serves, which the web client generates its types from', async () => {
    const drift = await committedOpenApiDrift({
      app: h.app,
      docsPath: '/api/orders/docs',
      file: path.join(__dirname, '..', 'openapi.json'),
      command: 'npm run openapi:write -w @glotixz/orders',
    });
    expect(drift).toBeNull();
  });
});
