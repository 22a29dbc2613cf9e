import path from 'node:path';
import { describeOpenApiContract } from '@glotixz/common/testing';
import request from 'supertest';
import { startAuthHarness } from './auth-harness';

describeOpenApiContract({
  service: 'auth',
  docsPath: '/api/users/docs',
  committedIn: path.join(__dirname, '..'),
  operations: { atLeast: 4 },
  // Fewer runs than elsewhere: each valid sign-up or sign-in costs a 128 MiB scrypt hash.
  fuzzTimeoutMs: 90_000,
  async start() {
    const h = await startAuthHarness();
    const res = await request(h.app)
      .post('/api/users/signup')
      .send({ email: 'fuzz@example.com', password: 'correct horse battery' })
      .expect(201);
    const authorization = `Bearer ${res.body.token as string}`;
    return {
      app: h.app,
      fuzz: { authorizations: [authorization], knownValues: { email: ['fuzz@example.com'] }, runs: 100 },
      close: () => h.close(),
    };
  },
});
