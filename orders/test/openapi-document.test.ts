import path from 'node:path';
import { describeOpenApiContract } from '@glotixz/common/testing';
import { startOrdersHarness } from './orders-harness';

describeOpenApiContract({
  service: 'orders',
  docsPath: '/api/orders/docs',
  committedIn: path.join(__dirname, '..'),
  operations: { atLeast: 5 },
  async start() {
    const h = await startOrdersHarness();
    const buyer = h.user();
    const other = h.user();
    const ticketIds: string[] = [];
    for (let i = 0; i < 4; i += 1) ticketIds.push((await h.listTicket()).id);
    const orderIds = [(await h.placeOrder(buyer, ticketIds[0] as string)).id];
    return {
      app: h.app,
      fuzz: {
        authorizations: [buyer.authorization, other.authorization],
        knownValues: { id: orderIds, ticketId: ticketIds },
        runs: 200,
      },
      close: () => h.close(),
    };
  },
});
