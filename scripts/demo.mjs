/**
 * Demo data for `npm start -- --demo`: a demo buyer and sellers with tickets on sale, created
 * through the gateway's public API, once: existing users sign in; a seller's ticket is created
 * unless one of the seller's own listings has its title.
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

/** Calls the API as JSON with the bearer token given: status, JSON (when it is) and text. */
async function call(baseUrl, method, path, { body, token } = {}) {
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: body && JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, json: /^[[{]/.test(text) ? JSON.parse(text) : null, text };
}

/** Signs a user in, signing them up first when the account does not exist yet; answers the token. */
async function signIn(baseUrl, { email, password }) {
  const body = { email, password };
  let answer = await call(baseUrl, 'POST', '/api/users/signin', { body });
  if (answer.status >= 300) answer = await call(baseUrl, 'POST', '/api/users/signup', { body });
  if (answer.status >= 300 || !answer.json?.token)
    throw new Error(`could not sign in or sign up ${email}: ${answer.status} ${answer.text.slice(0, 200)}`);
  return answer.json.token;
}

/** Seeds what the `present` services allow, through the API at `baseUrl`; answers lines telling what. */
export async function seedDemo({ baseUrl, present }) {
  if (!present.has('auth')) return ['no demo data: the auth service is not in this checkout'];
  await signIn(baseUrl, DEMO_USER);
  const tokens = [];
  for (const seller of DEMO_SELLERS) tokens.push(await signIn(baseUrl, seller));
  const lines = [
    `demo buyer: ${DEMO_USER.email} / ${DEMO_USER.password}`,
    `demo sellers: ${DEMO_SELLERS.map((s) => s.email).join(', ')} (same password)`,
  ];
  if (!present.has('tickets')) return lines;
  let created = 0;
  for (const [i, { tickets }] of DEMO_SELLERS.entries()) {
    const token = tokens[i];
    const mine = await call(baseUrl, 'GET', '/api/tickets/mine?limit=100', { token });
    if (mine.status !== 200) throw new Error(`could not list the demo tickets: ${mine.status} ${mine.text}`);
    const listed = new Set(mine.json.items.map((ticket) => ticket.title));
    for (const ticket of tickets.filter((t) => !listed.has(t.title))) {
      const answer = await call(baseUrl, 'POST', '/api/tickets', { body: ticket, token });
      if (answer.status >= 300)
        throw new Error(`could not create a demo ticket: ${answer.status} ${answer.text}`);
      created += 1;
    }
  }
  const total = DEMO_SELLERS.reduce((n, s) => n + s.tickets.length, 0);
  lines.push(`demo tickets: ${created} created, ${total - created} already there`);
  return lines;
}
