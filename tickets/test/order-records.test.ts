import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { startOrderRecordsPruner } from '../src/events/order-records';
import { startTicketsHarness, type TicketsHarness } from './tickets-harness';

describe('records of cancelled and completed orders', () => {
  let h: TicketsHarness;

  beforeAll(async () => {
    h = await startTicketsHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('are pruned once older than the retention, recent ones kept', async () => {
    const [oldCancelled, newCancelled, oldCompleted, newCompleted] = [1, 2, 3, 4].map(() => randomUUID());
    await h.pool.query(
      `insert into cancelled_orders (order_id, ticket_id, cancelled_at)
       values ($1, $3, now() - interval '8 days'), ($2, $3, now())`,
      [oldCancelled, newCancelled, randomUUID()],
    );
    await h.pool.query(
      `insert into completed_orders (order_id, ticket_id, completed_at)
       values ($1, $3, now() - interval '8 days'), ($2, $3, now())`,
      [oldCompleted, newCompleted, randomUUID()],
    );
    const pruner = startOrderRecordsPruner(h.pool, pino({ level: 'silent' }));
    try {
      // The first prune runs at start; joining or repeating it leaves the recent rows.
      await pruner.prune();
      const cancelled = await h.pool.query<{ order_id: string }>('select order_id from cancelled_orders');
      const completed = await h.pool.query<{ order_id: string }>('select order_id from completed_orders');
      expect(cancelled.rows.map((r) => r.order_id)).toEqual([newCancelled]);
      expect(completed.rows.map((r) => r.order_id)).toEqual([newCompleted]);
    } finally {
      await pruner.stop();
    }
  });
});
