import { fuzzOpenApi, lintOpenApi } from '@glotixz/common/testing';
import request from 'supertest';
import { startPaymentsHarness, type PaymentsHarness, type TestUser } from './payments-harness';

const docsPath = '/api/payments/docs';
let h: PaymentsHarness;
let buyer: TestUser;
let other: TestUser;
const orderIds: string[] = [];

beforeAll(async () => {
  h = await startPaymentsHarness();
  buyer = h.user();
  other = h.user();
  for (let i = 0; i < 3; i += 1) orderIds.push((await h.placeOrder(buyer)).id);
  const cancelled = await h.placeOrder(buyer);
  await h.cancelOrder(cancelled);
  orderIds.push(cancelled.id);
});
afterAll(async () => {
  await h.settled();
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
      knownValues: {
        orderId: orderIds,
        paymentMethodId: [
          'pm_card_visa',
          'pm_card_chargeDeclined',
          'pm_card_visa_chargeDeclinedInsufficientFunds',
        ],
      },
      runs: Number(process.env.FUZZ_RUNS ?? 200),
      seed: Number(process.env.FUZZ_SEED ?? 11),
    });
    expect([...operations].sort()).toEqual(['getPayment', 'pay', 'receiveStripeEvent']);
  }, 90_000);
});
