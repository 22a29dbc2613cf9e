import { fuzzOpenApi, lintOpenApi } from '@glotixz/common/testing';
import request from 'supertest';
import { startExpirationHarness, type ExpirationHarness, type TestInstance } from './expiration-harness';

const docsPath = '/api/expiration/docs';
let h: ExpirationHarness;
let instance: TestInstance;

beforeAll(async () => {
  h = await startExpirationHarness();
  instance = await h.startInstance();
});
afterAll(async () => {
  await h.close();
});

describe('the served OpenAPI document', () => {
  it("passes Redocly's recommended rules with no errors", async () => {
    const { body } = await request(instance.app.app).get(`${docsPath}/openapi.json`).expect(200);
    const report = await lintOpenApi(body);
    expect(report).toEqual({ errors: [], warnings: [] });
  });

  it('has no operation to fuzz: the service answers only health, readiness and metrics', async () => {
    expect(await fuzzOpenApi({ app: instance.app.app, docsPath })).toEqual({ runs: 0, operations: [] });
  });
});
