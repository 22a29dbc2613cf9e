import { createHmac } from 'node:crypto';
import request from 'supertest';
import { useHarness } from '@glotixz/common/testing';
import { startOrdersHarness, type TestUser } from './orders-harness';

const h = useHarness(startOrdersHarness);

/** The signed session cookie a browser signed in as `user` sends (cookie-session's format). */
function cookieFor(user: TestUser): string {
  const [key] = h.config.COOKIE_KEYS;
  if (!key) throw new Error('no cookie key');
  const value = Buffer.from(JSON.stringify({ jwt: user.token })).toString('base64');
  const signature = createHmac('sha1', key).update(`glotixz=${value}`).digest('base64url');
  return `glotixz=${value}; glotixz.sig=${signature}`;
}

async function placedOrder() {
  const buyer = h.user();
  const ticket = await h.listTicket();
  const order = await h.placeOrder(buyer, ticket.id);
  return { buyer, order };
}

describe('POST /api/orders/:id/cancel with the session cookie', () => {
  it('cancels for a same-origin page', async () => {
    const { buyer, order } = await placedOrder();
    const res = await request(h.app)
      .post(`/api/orders/${order.id}/cancel`)
      .set('cookie', cookieFor(buyer))
      .set('sec-fetch-site', 'same-origin')
      .expect(200);
    expect(res.body.status).toBe('cancelled');
  });

  it.each([
    ['a cross-site form post', 'form', { 'sec-fetch-site': 'cross-site' }],
    ['a same-site text/plain post', 'text', { 'sec-fetch-site': 'same-site' }],
    ['a multipart post from another Origin', 'multipart', { origin: 'https://evil.example' }],
  ] as const)(
    'refuses %s with 403 CROSS_ORIGIN_REQUEST and leaves the order alone',
    async (_name, body, headers) => {
      const { buyer, order } = await placedOrder();
      let req = request(h.app)
        .post(`/api/orders/${order.id}/cancel`)
        .set('cookie', cookieFor(buyer))
        .set(headers);
      if (body === 'form') req = req.type('form').send('confirm=1');
      else if (body === 'text') req = req.set('content-type', 'text/plain').send('confirm');
      else req = req.field('confirm', '1');
      const res = await req.expect(403);
      expect(res.body.code).toBe('CROSS_ORIGIN_REQUEST');
      expect(await h.orderRow(order.id)).toMatchObject({ status: 'awaiting_payment', version: 0 });
    },
  );

  it('exempts a Bearer request, whatever page sent it', async () => {
    const { buyer, order } = await placedOrder();
    await request(h.app)
      .post(`/api/orders/${order.id}/cancel`)
      .set('authorization', buyer.authorization)
      .set('sec-fetch-site', 'cross-site')
      .expect(200);
  });
});
