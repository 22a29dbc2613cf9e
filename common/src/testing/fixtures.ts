import { randomUUID } from 'node:crypto';
import type { TicketCreatedData } from '../events';

let listed = 0;

/** A `ticket.created` payload of a new, available ticket; `overrides` replace any field. */
export function ticketCreatedData(overrides: Partial<TicketCreatedData> = {}): TicketCreatedData {
  listed += 1;
  return {
    id: randomUUID(),
    title: `ticket ${listed}`,
    price: 2_500,
    currency: 'usd',
    userId: randomUUID(),
    orderId: null,
    version: 0,
    ...overrides,
  };
}
