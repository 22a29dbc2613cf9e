import { fuzzOpenApi, servedOpenApiProblems } from '@glotixz/common/testing';
import request from 'supertest';
import { startAuthHarness, type AuthHarness } from './auth-harness';

const docsPath = '/api/users/docs';
let h: AuthHarness;
let authorization: string;

beforeAll(async () => {
  h = await startAuthHarness();
  const res = await request(h.app)
    .post('/api/users/signup')
    .send({ email: 'fuzz@example.com', password: 'correct horse battery' })
    .expect(201);
  authorization = `Bearer ${res.body.token as string}`;
});
afterAll(async () => {
  await h.close();
});

describe('the served OpenAPI document', () => {
  it("passes Redocly's recommended rules with no errors, every operation named", async () => {
    expect(await servedOpenApiProblems(h.app, docsPath)).toEqual([]);
  });

  // Fewer runs than elsewhere: each valid sign-up or sign-in costs a 128 MiB scrypt hash.
  it('answers no request generated from it with 5xx, signed in or not', async () => {
    const { operations } = await fuzzOpenApi({
      app: h.app,
      docsPath,
      authorizations: [authorization],
      knownValues: { email: ['fuzz@example.com'] },
      runs: 100,
    });
    expect(operations.length).toBeGreaterThanOrEqual(4);
  }, 90_000);
});
