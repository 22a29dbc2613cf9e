import { randomUUID } from 'node:crypto';
import { contractVersion, createEnvelope, parseEnvelope, safeParseEnvelope } from './envelope';
import { eventSchemas, isSubject, subjects } from './event-map';
import { eventCatalog } from './event-catalog';
import { orderCreatedSubject } from './order-created.event';
import { deadLetterSubject, streamFor, streams } from './streams';
import { ticketCreatedSubject } from './ticket-created.event';
import type { TicketCreatedData } from './ticket-created.event';

const ticket = (): TicketCreatedData => ({
  id: randomUUID(),
  title: 'Concert',
  price: 2_500,
  currency: 'usd',
  userId: randomUUID(),
  orderId: null,
  version: 0,
});

describe('createEnvelope()', () => {
  it('wraps valid data with a fresh id, the contract version and a UTC timestamp', () => {
    const data = ticket();
    const envelope = createEnvelope(ticketCreatedSubject, data, {
      occurredAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
    });
    expect(envelope).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      subject: 'ticket.created',
      version: contractVersion,
      occurredAt: '2025-01-02T03:04:05.000Z',
      data,
    });
    expect(createEnvelope(ticketCreatedSubject, data).id).not.toBe(envelope.id);
  });

  it.each([
    ['a fractional price', { price: 12.5 }],
    ['a negative price', { price: -1 }],
    ['an upper-case currency', { currency: 'USD' }],
    ['a malformed user id', { userId: '42' }],
  ])('rejects %s', (_label, change) => {
    expect(() => createEnvelope(ticketCreatedSubject, { ...ticket(), ...change })).toThrow();
  });
});

describe('safeParseEnvelope()', () => {
  it('accepts a valid envelope and drops fields the contract does not know', () => {
    const envelope = createEnvelope(ticketCreatedSubject, ticket());
    const result = safeParseEnvelope({ ...envelope, extra: 1, data: { ...envelope.data, added: 'later' } });
    expect(result).toEqual({ success: true, envelope });
  });

  it('rejects an unknown subject, a bad id and data that breaks its schema', () => {
    const envelope = createEnvelope(ticketCreatedSubject, ticket());
    expect(safeParseEnvelope({ ...envelope, subject: 'ticket.deleted' }).success).toBe(false);
    expect(safeParseEnvelope({ ...envelope, id: 'nope' }).success).toBe(false);
    const wrongData = safeParseEnvelope({ ...envelope, subject: orderCreatedSubject });
    expect(wrongData).toMatchObject({ success: false, error: expect.stringContaining('order.created') });
    expect(() => parseEnvelope('{}')).toThrow(/invalid envelope/);
  });
});

describe('streams and catalog', () => {
  it('maps every subject to the stream of its owning service', () => {
    expect(subjects.map((s) => [s, streamFor(s)])).toEqual([
      ['ticket.created', 'TICKETS'],
      ['ticket.updated', 'TICKETS'],
      ['order.created', 'ORDERS'],
      ['order.cancelled', 'ORDERS'],
      ['order.completed', 'ORDERS'],
      ['payment.succeeded', 'PAYMENTS'],
      ['payment.refunded', 'PAYMENTS'],
      ['expiration.completed', 'EXPIRATION'],
      ['session.revoked', 'SESSIONS'],
      ['user.created', 'USERS'],
      ['user.password-reset-requested', 'USERS'],
    ]);
    expect(streamFor(deadLetterSubject('orders-ticket-created'))).toBe('DEADLETTER');
    expect(Object.keys(streams)).toEqual([
      'TICKETS',
      'ORDERS',
      'PAYMENTS',
      'EXPIRATION',
      'SESSIONS',
      'USERS',
      'DEADLETTER',
    ]);
  });

  it('documents every event exactly once, with its schema', () => {
    expect(eventCatalog.map((e) => e.subject)).toEqual(subjects);
    for (const entry of eventCatalog) {
      expect(entry.schema).toBe(eventSchemas[entry.subject]);
      expect(entry.description.length).toBeGreaterThan(10);
    }
    expect(isSubject('ticket.created')).toBe(true);
    expect(isSubject('toString')).toBe(false);
  });
});
