/**
 * Demo data for `npm start -- --demo`: a demo user and, once the tickets service exists, a few
 * tickets it sells. Goes through the gateway's public API like any client, so it is idempotent
 * only as far as the API lets it be (existing user: sign in; tickets: created once by title).
 */

export const DEMO_USER = { email: 'demo@glotixz.dev', password: 'glotixz-demo-password' };

export const DEMO_TICKETS = [
  { title: 'Demo: Jazz in the Park', price: 2500, currency: 'usd' },
  { title: 'Demo: Symphony No. 9', price: 8900, currency: 'usd' },
  { title: 'Demo: Indie Night', price: 1500, currency: 'eur' },
];

async function call(baseUrl, method, path, { body, token } = {}) {
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json, text };
}

async function demoSession(baseUrl) {
  const signin = await call(baseUrl, 'POST', '/api/users/signin', { body: DEMO_USER });
  const answer =
    signin.status < 300 ? signin : await call(baseUrl, 'POST', '/api/users/signup', { body: DEMO_USER });
  if (answer.status >= 300 || !answer.json?.token) {
    throw new Error(
      `could not sign in or sign up the demo user: ${answer.status} ${answer.text.slice(0, 200)}`,
    );
  }
  const user = answer.json.user ?? answer.json;
  return { token: answer.json.token, userId: user.id };
}

/**
 * Seeds what the present services allow and answers human-readable lines describing it.
 * @param {{ baseUrl: string, present: Set<string> }} options
 */
export async function seedDemo({ baseUrl, present }) {
  if (!present.has('auth')) return ['no demo data: the auth service is not in this checkout'];
  const session = await demoSession(baseUrl);
  const lines = [`demo user: ${DEMO_USER.email} / ${DEMO_USER.password}`];
  if (!present.has('tickets')) return lines;

  const listing = await call(baseUrl, 'GET', '/api/tickets', { token: session.token });
  const existing = new Set(
    (listing.json?.items ?? []).filter((t) => t.userId === session.userId).map((t) => t.title),
  );
  let created = 0;
  for (const ticket of DEMO_TICKETS) {
    if (existing.has(ticket.title)) continue;
    const answer = await call(baseUrl, 'POST', '/api/tickets', { body: ticket, token: session.token });
    if (answer.status >= 300)
      throw new Error(`could not create a demo ticket: ${answer.status} ${answer.text}`);
    created += 1;
  }
  lines.push(`demo tickets: ${created} created, ${DEMO_TICKETS.length - created} already there`);
  return lines;
}
