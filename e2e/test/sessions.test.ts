import { randomUUID } from 'node:crypto';
import { readSubject, waitFor } from '@glotixz/common/testing';
import { send, type RawResponse } from './support/http';
import { startSystem, type System } from './support/system';

const PASSWORD = 'correct horse battery';
const JSON_TYPE = { 'content-type': 'application/json' };

/** One signed-in session: its Bearer token and its session cookie (as a Cookie header). */
interface Session {
  token: string;
  cookie: string;
}

function sessionOf(res: RawResponse): Session {
  return { token: res.json.token as string, cookie: res.setCookies.map((c) => c.split(';')[0]).join('; ') };
}

/**
 * Sign-out revokes: after it, that session's token and cookie are refused by every service, not
 * only by auth, and "sign out everywhere" does the same for every session of the user. Every
 * service learns of it from `session.revoked`, and one started later replays it.
 */
describe('signing out, across the system', () => {
  let system: System;
  let gateway: string;

  /** A route of each service that needs a signed-in user and changes nothing. */
  const probes = {
    tickets: '/api/tickets/mine',
    orders: '/api/orders',
    payments: `/api/payments?orderId=${randomUUID()}`,
  } as const;

  beforeAll(async () => {
    system = await startSystem({ services: ['auth', 'tickets', 'orders', 'payments'], gateway: true });
    if (!system.gateway) throw new Error('no gateway');
    gateway = system.gateway.url;
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function signIn(email: string, signUp = false): Promise<Session> {
    const res = await send(gateway, 'POST', signUp ? '/api/users/signup' : '/api/users/signin', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(res.status).toBe(signUp ? 201 : 200);
    return sessionOf(res);
  }

  /** The status each service answers the session with, by Bearer and by cookie. */
  async function statuses(session: Session): Promise<number[]> {
    const answers = await Promise.all(
      Object.values(probes).flatMap((path) => [
        send(gateway, 'GET', path, { headers: { authorization: `Bearer ${session.token}` } }),
        send(gateway, 'GET', path, { headers: { cookie: session.cookie } }),
      ]),
    );
    return answers.map((res) => res.status);
  }

  const accepted = (list: number[]) => list.every((status) => status === 200 || status === 404);
  const refused = (list: number[]) => list.every((status) => status === 401);

  /** Waits until every service refuses the session (at most 60 s); answers how long it took. */
  async function untilRefused(session: Session): Promise<number> {
    const started = Date.now();
    await waitFor(
      async () => refused(await statuses(session)),
      60_000,
      'every service to refuse the session',
    );
    return Date.now() - started;
  }

  it("announces every new account on the bus, once, through auth's outbox", async () => {
    const email = `created-${randomUUID()}@example.com`;
    const signup = await send(gateway, 'POST', '/api/users/signup', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(signup.status).toBe(201);
    const announced = await waitFor(
      async () => {
        const messages = await readSubject(system.bus, 'user.created');
        const mine = messages.filter((m) => (m.data as { data: { email: string } }).data.email === email);
        return mine.length > 0 ? mine : undefined;
      },
      10_000,
      'user.created on the USERS stream',
    );
    expect(announced).toHaveLength(1);
    expect((announced[0]?.data as { data: unknown }).data).toEqual({
      id: signup.json.id,
      email,
      createdAt: expect.any(String),
    });
  });

  it('refuses the old token and cookie in tickets, orders and payments soon after sign-out', async () => {
    const email = `signout-${randomUUID()}@example.com`;
    const session = await signIn(email, true);
    const other = await signIn(email);
    expect(accepted(await statuses(session))).toBe(true);

    const out = await send(gateway, 'POST', '/api/users/signout', { headers: { cookie: session.cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get('clear-site-data')).toBe('"cookies", "storage"');

    const tookMs = await untilRefused(session);
    // Within 60 s is the promise; through the bus it is a matter of milliseconds.
    expect(tookMs).toBeLessThan(10_000);
    const me = await send(gateway, 'GET', '/api/users/currentuser', {
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(me.json).toEqual({ currentUser: null });
    const rejected = await send(gateway, 'GET', probes.orders, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(rejected.json.code).toBe('NOT_AUTHENTICATED');
    // The user's other session is untouched.
    expect(accepted(await statuses(other))).toBe(true);

    // A service that starts after the sign-out replays it.
    await system.services.orders.restart();
    const afterRestart = await send(gateway, 'GET', probes.orders, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(afterRestart.status).toBe(401);
    expect(accepted(await statuses(other))).toBe(true);
  });

  it('signs out everywhere: both sessions of the user are refused by every service', async () => {
    const email = `everywhere-${randomUUID()}@example.com`;
    const first = await signIn(email, true);
    const second = await signIn(email);
    const bystander = await signIn(`bystander-${randomUUID()}@example.com`, true);
    expect(accepted(await statuses(first))).toBe(true);
    expect(accepted(await statuses(second))).toBe(true);

    const res = await send(gateway, 'POST', '/api/users/signout-all', {
      headers: { authorization: `Bearer ${first.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ revokedSessions: 2 });

    await untilRefused(first);
    await untilRefused(second);
    expect(accepted(await statuses(bystander))).toBe(true);
  });
});
