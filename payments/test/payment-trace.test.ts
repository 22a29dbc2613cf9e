import { randomUUID } from 'node:crypto';
import { readSubject, startTestTracing, type TestTracing } from '@glotixz/common/testing';
import { startPaymentsHarness, type PaymentsHarness } from './payments-harness';

const traceId = '0af7651916cd43dd8448eb211c80319c';
const traceparent = `00-${traceId}-b7ad6b7169203331-01`;
let tracing: TestTracing;
let h: PaymentsHarness;

beforeAll(async () => {
  tracing = startTestTracing('payments');
  h = await startPaymentsHarness();
});
afterAll(async () => {
  await h.close();
  await tracing.shutdown();
});

describe('a payment’s trace', () => {
  it('rides in the PaymentIntent’s metadata and goes on from its webhook into payment.succeeded', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer, {
      ticket: { id: randomUUID(), title: 'Concert', price: 1500, currency: 'usd' },
    });

    await h.pay(buyer, order.id, 'pm_card_visa').set('traceparent', traceparent).expect(201);
    await h.paymentReaches(order.id, 'succeeded');
    await h.settled();

    const [intent] = h.intentsFor(order.id);
    expect(intent?.metadata).toMatchObject({
      orderId: order.id,
      traceparent: expect.stringContaining(traceId),
    });
    const events = await readSubject(h.bus, 'payment.succeeded');
    const succeeded = events.find((e) => (e.data as { data: { orderId: string } }).data.orderId === order.id);
    expect(succeeded?.headers.traceparent?.split('-')[1]).toBe(traceId);

    const spans = tracing.spans();
    const handled = spans.find((s) => s.name === 'stripe payment_intent.succeeded');
    const webhook = spans.find((s) => s.name === 'POST /api/payments/webhook');
    expect(handled?.spanContext().traceId).toBe(traceId);
    expect(webhook?.spanContext().traceId).not.toBe(traceId);
    expect(handled?.links.map((l) => l.context.spanId)).toEqual([webhook?.spanContext().spanId]);
  });
});
