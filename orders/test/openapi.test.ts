import { fuzzOpenApi, lintOpenApi } from '@glotixz/common/testing';
import request from 'supertest';
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
    const { body } = await request(h.app).get(`${docsPath}/openapi.json`).expect(200);
    const report = await lintOpenApi(body);
    expect(report.errors).toEqual([]);
    expect(report.warnings.filter((w) => w.rule === 'operation-operationId')).toEqual([]);
  });

  it('answers no request generated from it with 5xx, signed in or not', async () => {
    const { operations } = await fuzzOpenApi({
      app: h.app,
      docsPath,
      authorizations: [buyer.authorization, other.authorization],
      knownValues: { id: orderIds, ticketId: ticketIds },
      runs: Number(process.env.FUZZ_RUNS ?? 200),
      seed: Number(process.env.FUZZ_SEED ?? 11),
    });
    expect(operations.length).toBeGreaterThanOrEqual(5);
  }, 60_000);
});
