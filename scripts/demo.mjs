/**
 * Demo data for `npm start -- --demo`: a demo buyer and a few sellers, each with tickets on sale,
 * so the marketplace has something to browse. Goes through the gateway's public API like any
 * client, so it is idempotent only as far as the API lets it be (existing users sign in; a seller's
 * ticket is created once by title, looked up among the seller's own listings).
 */

const PASSWORD = 'glotixz-demo-password';

/** The account to browse and buy with. */
export const DEMO_USER = { email: 'demo@glotixz.dev', password: PASSWORD };

/** Sellers and what each lists (prices in minor units). */
export const DEMO_SELLERS = [
  {
    email: 'ava.seller@glotixz.dev',
    password: PASSWORD,
    tickets: [
      { title: 'Jazz in the Park · Sat 14 June · Lawn', price: 2500, currency: 'usd' },
      { title: 'Symphony No. 9 · Concert Hall · Row F', price: 8900, currency: 'usd' },
      { title: 'Comedy Cellar late show · 2 seats', price: 4200, currency: 'usd' },
    ],
  },
  {
    email: 'ben.seller@glotixz.dev',
    password: PASSWORD,
    tickets: [
      { title: 'Indie Night at the Roundhouse · Standing', price: 1500, currency: 'eur' },
      { title: 'Champions League quarter-final · Block 112', price: 16500, currency: 'eur' },
      { title: 'Tech Conference day pass', price: 29900, currency: 'gbp' },
    ],
  },
  {
    email: 'chika.seller@glotixz.dev',
    password: PASSWORD,
    tickets: [
      { title: 'Sumo Grand Tournament · Box seat', price: 12000, currency: 'jpy' },
      { title: 'Electronic Festival · Weekend pass', price: 18900, currency: 'usd' },
      { title: 'Hamilton · Matinee · Orchestra', price: 13500, currency: 'usd' },
    ],
  },
];

async function call(baseUrl, method, path, { body, token } = {}) {
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, json: /^[[{]/.test(text) ? JSON.parse(text) : null, text };
}

/** Signs a user in, signing them up first when the account does not exist yet. */
async function session(baseUrl, { email, password }) {
  const signin = await call(baseUrl, 'POST', '/api/users/signin', { body: { email, password } });
  const answer =
    signin.status < 300
      ? signin
      : await call(baseUrl, 'POST', '/api/users/signup', { body: { email, password } });
  if (answer.status >= 300 || !answer.json?.token) {
    throw new Error(`could not sign in or sign up ${email}: ${answer.status} ${answer.text.slice(0, 200)}`);
  }
  return { token: answer.json.token };
}

/** The titles the seller already lists. */
async function listedTitles(baseUrl, seller) {
  const mine = await call(baseUrl, 'GET', '/api/tickets/mine?limit=100', { token: seller.token });
  if (mine.status !== 200) throw new Error(`could not list the demo tickets: ${mine.status} ${mine.text}`);
  return new Set(mine.json.items.map((ticket) => ticket.title));
}

/**
 * Seeds what the present services allow and answers human-readable lines describing it.
 * @param {{ baseUrl: string, present: Set<string> }} options
 */
export async function seedDemo({ baseUrl, present }) {
  if (!present.has('auth')) return ['no demo data: the auth service is not in this checkout'];
  await session(baseUrl, DEMO_USER);
  const lines = [`demo buyer: ${DEMO_USER.email} / ${DEMO_USER.password}`];
  const sellers = [];
  for (const seller of DEMO_SELLERS) sellers.push({ seller, session: await session(baseUrl, seller) });
  lines.push(`demo sellers: ${DEMO_SELLERS.map((s) => s.email).join(', ')} (same password)`);
  if (!present.has('tickets')) return lines;

  let created = 0;
  let total = 0;
  for (const { seller, session: auth } of sellers) {
    const existing = await listedTitles(baseUrl, auth);
    for (const ticket of seller.tickets) {
      total += 1;
      if (existing.has(ticket.title)) continue;
      const answer = await call(baseUrl, 'POST', '/api/tickets', { body: ticket, token: auth.token });
      if (answer.status >= 300) {
        throw new Error(`could not create a demo ticket: ${answer.status} ${answer.text}`);
      }
      created += 1;
    }
  }
  lines.push(`demo tickets: ${created} created, ${total - created} already there`);
  return lines;
}
