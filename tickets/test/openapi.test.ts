import { randomUUID } from 'node:crypto';
import { fuzzOpenApi, servedOpenApiProblems } from '@glotixz/common/testing';
import { startTicketsHarness, type TestUser, type TicketsHarness } from './tickets-harness';

const docsPath = '/api/tickets/docs';
let h: TicketsHarness;
let seller: TestUser;
let buyer: TestUser;
const ids: string[] = [];

beforeAll(async () => {
  h = await startTicketsHarness();
  seller = h.user();
  buyer = h.user();
  for (const title of ['Front row', 'Balcony'])
    ids.push((await h.createTicket(seller, { title, price: 2500 })).id);
  // One ticket held by an order, at the terms it was listed at (I8).
  await h.pool.query(
    `update tickets set order_id = $1, held_title = title, held_price = price, held_currency = currency,
       version = version + 1 where id = $2`,
    [randomUUID(), ids[1]],
  );
});
afterAll(async () => {
  await h.close();
});

describe('the served OpenAPI document', () => {
  it("passes Redocly's recommended rules with no errors, every operation named", async () => {
    expect(await servedOpenApiProblems(h.app, docsPath)).toEqual([]);
  });

  it('answers no request generated from it with 5xx, signed in or not', async () => {
    const { operations } = await fuzzOpenApi({
      app: h.app,
      docsPath,
      authorizations: [seller.authorization, buyer.authorization],
      knownValues: { id: ids },
      runs: 200,
    });
    expect(operations.length).toBeGreaterThanOrEqual(5);
  }, 60_000);
});
