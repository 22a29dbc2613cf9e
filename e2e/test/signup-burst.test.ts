import { api } from './support/api';
import { startSystem, type System } from './support/system';

const PASSWORD = 'correct horse battery';

/**
 * Each sign-up costs a 128 MiB scrypt. A burst of them from one client must neither starve the
 * sign-ins of everyone else (one hashing queue, sign-ins first) nor go on unthrottled (a limit
 * per address, then 429; a full queue answers 503).
 */
describe('a burst of sign-ups', () => {
  let system: System;
  let auth: string;

  beforeAll(async () => {
    // The defaults, as a deployment has them.
    system = await startSystem({ services: ['auth'], env: { auth: { SIGNUP_MAX_PER_ADDRESS: '10' } } });
    auth = system.services.auth.url;
  });
  afterAll(async () => {
    await system?.stop();
  });

  it("leaves another user's sign-in answering within 2 s, and throttles the burst", async () => {
    const victim = `victim-${Date.now()}@example.com`;
    expect(
      (await api(auth, 'POST', '/api/users/signup', { body: { email: victim, password: PASSWORD } })).status,
    ).toBe(201);

    // What one sign-in costs on this machine with nothing else going on (the median of three).
    const alone: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await api(auth, 'POST', '/api/users/signin', {
        body: { email: victim, password: PASSWORD },
      });
      expect(res.status).toBe(200);
      alone.push(Date.now() - started);
    }
    const aloneMs = alone.sort((a, b) => a - b)[1]!;
    const burst = Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api(auth, 'POST', '/api/users/signup', {
          body: { email: `burst-${i}-${Date.now()}@example.com`, password: PASSWORD },
        }),
      ),
    );
    // Let the burst reach the server and fill its queue first.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = Date.now();
    const signin = await api(auth, 'POST', '/api/users/signin', {
      body: { email: victim, password: PASSWORD },
    });
    const elapsedMs = Date.now() - started;
    const answers = await burst;

    expect(signin.status).toBe(200);
    // 2 s where an uncontended sign-in takes well under a second (0.65 s measured); on a machine
    // so loaded that one sign-in alone takes longer, the bound grows with it. Unbounded, the burst
    // took a sign-in from 0.65 s to 23.5 s: far past either bound.
    expect(elapsedMs).toBeLessThan(Math.max(2000, 2.5 * aloneMs));
    const statuses = answers.map((res) => res.status);
    // The victim's own sign-up used one of the ten the address may make.
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(9);
    expect(statuses.filter((s) => s === 429 || s === 503).length).toBeGreaterThanOrEqual(31);
    expect(statuses.every((s) => s === 201 || s === 429 || s === 503)).toBe(true);
    for (const res of answers.filter((r) => r.status >= 400)) {
      expect(['RATE_LIMITED', 'SERVER_BUSY']).toContain(res.body.code);
    }
  });
});
