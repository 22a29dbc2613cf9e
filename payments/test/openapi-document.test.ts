import path from 'node:path';
import { describeOpenApiContract } from '@glotixz/common/testing';
import { startPaymentsHarness } from './payments-harness';

describeOpenApiContract({
  service: 'payments',
  docsPath: '/api/payments/docs',
  committedIn: path.join(__dirname, '..'),
  operations: {
    exactly: [
      'getPayment',
      'getPayoutAccount',
      'listSales',
      'pay',
      'receiveStripeEvent',
      'startPayoutOnboarding',
    ],
  },
  fuzzTimeoutMs: 90_000,
  async start() {
    const h = await startPaymentsHarness();
    const buyer = h.user();
    const other = h.user();
    const orderIds: string[] = [];
    for (let i = 0; i < 3; i += 1) orderIds.push((await h.placeOrder(buyer)).id);
    const cancelled = await h.placeOrder(buyer);
    await h.cancelOrder(cancelled);
    orderIds.push(cancelled.id);
    return {
      app: h.app,
      fuzz: {
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
      },
      async close() {
        await h.settled();
        await h.close();
      },
    };
  },
});
