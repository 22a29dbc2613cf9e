import { fuzzOpenApi, servedOpenApiProblems } from '@glotixz/common/testing';
import { startOrdersHarness, type OrdersHarness, type TestUser } from './orders-harness';

const docsPath = '/api/orders/docs';
let h: OrdersHarness;
let buyer: TestUser;
let other: TestUser;
const ticketIds: string[] = [];
const orderIds: string[] = [];

beforeAll(async () => {
  h = await startOrdersHarness();
  buyer = h.user();
  other = h.user();
  for (let i = 0; i < 4; i += 1) ticketIds.push((await h.listTicket()).id);
  orderIds.push((await h.placeOrder(buyer, ticketIds[0] as string)).id);
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
      authorizations: [buyer.authorization, other.authorization],
      knownValues: { id: orderIds, ticketId: ticketIds },
      runs: 200,
    });
    expect(operations.length).toBeGreaterThanOrEqual(5);
  }, 60_000);
});
