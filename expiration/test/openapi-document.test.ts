import { describeOpenApiContract } from '@glotixz/common/testing';
import { startExpirationHarness } from './expiration-harness';

describeOpenApiContract({
  service: 'expiration',
  docsPath: '/api/expiration/docs',
  noWarnings: true,
  operations: { exactly: [] },
  async start() {
    const h = await startExpirationHarness();
    const instance = await h.startInstance();
    return { app: instance.app.app, close: () => h.close() };
  },
});
