import { randomUUID } from 'node:crypto';
import type { ETicket, OrderCompletedData, OrderCreatedData } from '@glotixz/common/events';

/** An `order.created` for `userId`, held for 15 minutes. */
export function orderCreated(userId: string, overrides: Partial<OrderCreatedData> = {}): OrderCreatedData {
  return {
    id: randomUUID(),
    status: 'awaiting_payment',
    userId,
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    version: 0,
    ticket: { id: randomUUID(), title: 'Arctic Lights — Floor', price: 4550, currency: 'usd' },
    ...overrides,
  };
}

/** The e-ticket orders mints for `orderId`, held by the buyer. */
export function eticketFor(orderId: string, buyer: { id: string; email: string }): ETicket {
  return {
    code: 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImV0aWNrZXQrand0Iiwia2lkIjoidGVzdCJ9.eyJ0aWQiOiJ4In0.c2ln',
    issuedAt: new Date().toISOString(),
    order: { id: orderId },
    ticket: { id: randomUUID(), title: 'Arctic Lights — Floor' },
    event: {
      id: randomUUID(),
      name: 'Arctic Lights',
      venue: 'Roundhouse',
      city: 'London',
      country: 'GB',
      timezone: 'Europe/London',
      startsAt: '2027-03-14T19:30:00.000Z',
    },
    seat: { section: 'Floor', row: 'C', seat: '12' },
    holder: { id: buyer.id, email: buyer.email },
  };
}

/** An `order.completed` of a paid order, with its e-ticket. */
export function orderCompleted(
  buyer: { id: string; email: string },
  sellerId: string,
  overrides: Partial<OrderCompletedData> = {},
): OrderCompletedData {
  const id = randomUUID();
  return {
    id,
    version: 1,
    ticket: {
      id: randomUUID(),
      title: 'Arctic Lights — Floor',
      price: 4550,
      fee: 554,
      total: 5104,
      currency: 'usd',
    },
    userId: buyer.id,
    sellerId,
    eticket: eticketFor(id, buyer),
    ...overrides,
  };
}
