import { randomUUID } from 'node:crypto';
import pino from 'pino';
import request from 'supertest';
import type { Bus } from '../src/bus';
import { startRevocationListener, type RevocationListener } from '../src/bus';
import { createEnvelope, sessionRevokedSubject } from '../src/events';
import { createServiceApp, defineRoute, RevokedSessions, signUserToken } from '../src/express';
import { createCookieKeys, createTestKeys } from '../src/testing';
import { connectTestBus, deleteTestStreams } from '../src/testing/nats';
import { waitFor } from '../src/testing/wait';

const logger = pino({ level: 'silent' });
const keys = createTestKeys();

function appWith(revocations: RevokedSessions) {
  return createServiceApp({
    service: 'test',
    logger,
    auth: keys.verify,
    session: { keys: createCookieKeys(), secure: false, maxAgeMs: 60_000 },
    revocations,
    routes: [
      defineRoute({
        method: 'get',
        path: '/api/test/me',
        summary: 'me',
        auth: 'required',
        responses: { 200: { description: 'me' } },
        handler: (req, res) => res.json({ id: req.currentUser?.id, sid: req.currentSession?.id }),
      }),
    ],
    docsPath: '/api/test/docs',
    docsTitle: 'test',
    readiness: {},
  }).app;
}

async function publishRevoked(bus: Bus, sessionIds: string[], expiresAt = new Date(Date.now() + 3_600_000)) {
  await bus.publish(
    createEnvelope(sessionRevokedSubject, {
      userId: randomUUID(),
      sessionIds,
      expiresAt: expiresAt.toISOString(),
    }),
  );
}

describe('RevokedSessions', () => {
  it('remembers a revoked session until its tokens expire, then forgets it', () => {
    const revoked = new RevokedSessions();
    const now = Date.now();
    revoked.revoke(['a', 'b'], new Date(now + 1000), now);
    revoked.revoke(['gone'], new Date(now - 1), now);
    expect(revoked.isRevoked({ id: 'a' })).toBe(true);
    expect(revoked.isRevoked({ id: 'gone' })).toBe(false);
    expect(revoked.isRevoked({ id: 'c' })).toBe(false);
    revoked.prune(now + 1001, true);
    expect(revoked.size).toBe(0);
  });
});

describe('currentUser with revocations', () => {
  it('answers 401 NOT_AUTHENTICATED for a revoked session, and serves the others', async () => {
    const revoked = new RevokedSessions();
    const app = appWith(revoked);
    const user = { id: randomUUID(), email: 'a@example.test' };
    const [kept, dropped] = [randomUUID(), randomUUID()];
    revoked.revoke([dropped], new Date(Date.now() + 60_000));
    const ok = await request(app)
      .get('/api/test/me')
      .set('authorization', `Bearer ${signUserToken(user, keys.sign, kept)}`)
      .expect(200);
    expect(ok.body).toEqual({ id: user.id, sid: kept });
    const refused = await request(app)
      .get('/api/test/me')
      .set('authorization', `Bearer ${signUserToken(user, keys.sign, dropped)}`)
      .expect(401);
    expect(refused.body.code).toBe('NOT_AUTHENTICATED');
  });
});

describe('startRevocationListener', () => {
  let bus: Bus;
  const listeners: RevocationListener[] = [];

  beforeAll(async () => {
    bus = await connectTestBus();
  });
  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((listener) => listener.stop()));
  });
  afterAll(async () => {
    await deleteTestStreams(bus);
    await bus.close();
  });

  it('replays the revocations of the replay window before it resolves, then follows new ones', async () => {
    const before = randomUUID();
    await publishRevoked(bus, [before]);
    const [a, b] = await Promise.all([
      startRevocationListener({ bus, logger, replaySeconds: 3600 }),
      startRevocationListener({ bus, logger, replaySeconds: 3600 }),
    ]);
    listeners.push(a, b);
    // Every process has every revocation: they are not shared work.
    expect(a.revoked.isRevoked({ id: before })).toBe(true);
    expect(b.revoked.isRevoked({ id: before })).toBe(true);

    const after = randomUUID();
    await publishRevoked(bus, [after]);
    await waitFor(() => a.revoked.isRevoked({ id: after }) && b.revoked.isRevoked({ id: after }), 5000);
  });

  it('does not replay revocations older than the replay window', async () => {
    const old = randomUUID();
    await publishRevoked(bus, [old]);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const listener = await startRevocationListener({ bus, logger, replaySeconds: 1 });
    listeners.push(listener);
    expect(listener.revoked.isRevoked({ id: old })).toBe(false);
  });
});
