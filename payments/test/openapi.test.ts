import { fuzzOpenApi, servedOpenApiProblems } from '@glotixz/common/testing';
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
    expect(await servedOpenApiProblems(h.app, docsPath)).toEqual([]);
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
      runs: 200,
    });
    expect([...operations].sort()).toEqual(['getPayment', 'pay', 'receiveStripeEvent']);
  }, 90_000);
});
