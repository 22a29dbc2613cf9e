import pino from 'pino';
import request from 'supertest';
import { createCookieKeys, createTestKeys } from '../testing/auth';
import { API_PERMISSIONS_POLICY } from './security-headers';
import { createServiceApp } from './service-app';

const app = createServiceApp({
  service: 'things',
  logger: pino({ level: 'silent' }),
  auth: createTestKeys().verify,
  session: { keys: createCookieKeys(), secure: false, maxAgeMs: 60_000 },
  routes: [],
  docsPath: '/api/things/docs',
  docsTitle: 'Things',
  readiness: {},
}).app;

describe('the security headers of a service', () => {
  it.each(['/healthz', '/metrics', '/api/things', '/api/things/docsx'])(
    'lets the API answer %s load nothing, be framed by no one and use no browser feature',
    async (path) => {
      const res = await request(app).get(path);
      expect(res.headers).toMatchObject({
        'content-security-policy': "default-src 'none';frame-ancestors 'none'",
        'x-frame-options': 'DENY',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'permissions-policy': API_PERMISSIONS_POLICY,
        'x-content-type-options': 'nosniff',
      });
      expect(res.headers['permissions-policy']).toContain('camera=()');
    },
  );

  it('gives the Swagger UI page a policy that runs its own scripts and nothing else', async () => {
    const page = await request(app).get('/api/things/docs/').expect(200);
    const policy = page.headers['content-security-policy'] ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    // Every script the page loads is a file of its own, which script-src 'self' allows.
    expect(page.text).not.toMatch(/<script>[^<]/);
    for (const [, src] of page.text.matchAll(/<script src="\.\/([^"]+)"/g)) {
      await request(app).get(`/api/things/docs/${src}`).expect(200);
    }
  });
});
