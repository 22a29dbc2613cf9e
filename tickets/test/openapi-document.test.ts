import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describeOpenApiContract } from '@glotixz/common/testing';
import { startTicketsHarness } from './tickets-harness';

describeOpenApiContract({
  service: 'tickets',
  docsPath: '/api/tickets/docs',
  committedIn: path.join(__dirname, '..'),
  operations: { atLeast: 10 },
  async start() {
    const h = await startTicketsHarness();
    const seller = h.user();
    const buyer = h.user();
    const event = await h.createEvent(seller);
    const ids: string[] = [event.id];
    for (const section of ['Front', 'Balcony'])
      ids.push((await h.createTicket(seller, { eventId: event.id, section, price: 2500 })).id);
    // One ticket held by an order, at the terms it was listed at (I8).
    await h.pool.query(
      `update tickets set order_id = $1, status = 'reserved', held_title = title, held_price = price,
         held_currency = currency, version = version + 1 where id = $2`,
      [randomUUID(), ids[2]],
    );
    return {
      app: h.app,
      fuzz: {
        authorizations: [seller.authorization, buyer.authorization],
        knownValues: { id: ids, eventId: [event.id] },
        runs: 200,
      },
      close: () => h.close(),
    };
  },
});
