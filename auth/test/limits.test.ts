import request from 'supertest';
import { useHarness } from '@glotixz/common/testing';
import { startAuthHarness } from './auth-harness';

const h = useHarness(startAuthHarness);

const password = 'correct horse battery';
let counter = 0;
const freshEmail = () => `limits${++counter}-${Date.now()}@example.com`;

describe('sign-up limits', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the sign-ups allowed per address, writing nothing', async () => {
    const { app } = h.build({ SIGNUP_MAX_PER_ADDRESS: '2', SIGNUP_WINDOW_SECONDS: '600' });
    const from = { 'x-forwarded-for': '198.51.100.7' };
    await request(app)
      .post('/api/users/signup')
      .set(from)
      .send({ email: freshEmail(), password })
      .expect(201);
    // A malformed request is not counted: it costs no hash.
    await request(app).post('/api/users/signup').set(from).send({ email: 'x', password }).expect(400);
    await request(app)
      .post('/api/users/signup')
      .set(from)
      .send({ email: freshEmail(), password })
      .expect(201);
    const before = await h.countUsers();
    const limited = await request(app)
      .post('/api/users/signup')
      .set(from)
      .send({ email: freshEmail(), password })
      .expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(600);
    expect(await h.countUsers()).toBe(before);
    // Another address is not affected.
    await request(app)
      .post('/api/users/signup')
      .set('x-forwarded-for', '198.51.100.8')
      .send({ email: freshEmail(), password })
      .expect(201);
  });

  it('answers 503 SERVER_BUSY with Retry-After when the hashing queue is full, writing nothing for it', async () => {
    const { app } = h.build({ PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE_MAX: '1' });
    const before = await h.countUsers();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        request(app)
          .post('/api/users/signup')
          .set('x-forwarded-for', `198.51.100.${20 + i}`)
          .send({ email: freshEmail(), password }),
      ),
    );
    const busy = results.filter((r) => r.status === 503);
    const created = results.filter((r) => r.status === 201);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(created.length + busy.length).toBe(5);
    for (const res of busy) {
      expect(res.body.code).toBe('SERVER_BUSY');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(await h.countUsers()).toBe(before + created.length);
  });
});

describe('sign-in limits', () => {
  it('never counts malformed requests: 50 of them leave the budget whole', async () => {
    const { app } = h.build({ SIGNIN_MAX_FAILURES: '2' });
    const email = freshEmail();
    await request(app).post('/api/users/signup').send({ email, password }).expect(201);
    for (let i = 0; i < 50; i++) {
      await request(app).post('/api/users/signin').send({ email, password: 'short' }).expect(400);
    }
    await request(app).post('/api/users/signin').send({ email, password }).expect(200);
  });

  it('backs off one account from every address, without locking other accounts behind that address', async () => {
    const { app } = h.build({ SIGNIN_MAX_FAILURES: '100', SIGNIN_ACCOUNT_FREE_FAILURES: '2' });
    const victim = freshEmail();
    const neighbour = freshEmail();
    await request(app).post('/api/users/signup').send({ email: victim, password }).expect(201);
    await request(app).post('/api/users/signup').send({ email: neighbour, password }).expect(201);
    const guess = (address: string, pw = 'wrong password') =>
      request(app)
        .post('/api/users/signin')
        .set('x-forwarded-for', address)
        .send({ email: victim, password: pw });

    // Rotating addresses: past two failures every attempt waits, 1 s, then 2 s, whatever the address.
    expect((await guess('203.0.113.1')).status).toBe(401);
    expect((await guess('203.0.113.2')).status).toBe(401);
    const early = await guess('203.0.113.3');
    expect(early.status).toBe(429);
    expect(Number(early.headers['retry-after'])).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await guess('203.0.113.3')).status).toBe(401);
    const locked = await guess('203.0.113.4', password);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBe(2);

    // The attacker's address still signs other people in.
    await request(app)
      .post('/api/users/signin')
      .set('x-forwarded-for', '203.0.113.1')
      .send({ email: neighbour, password })
      .expect(200);

    // Once the lock passes, the right password works and clears the account's failures.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await guess('203.0.113.5', password)).status).toBe(200);
    expect((await guess('203.0.113.5')).status).toBe(401);
    expect((await guess('203.0.113.5')).status).toBe(401);
  });
});
