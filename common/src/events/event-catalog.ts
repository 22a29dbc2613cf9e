import type { z } from 'zod';
import { eventSchemas } from './event-map';
import type { Subject } from './event-map';
import { streamFor } from './streams';
import type { StreamName } from './streams';

/** A Glotixz service. */
export type ServiceName = 'auth' | 'tickets' | 'orders' | 'payments' | 'expiration' | 'notifications';

/** One event as documented in `docs/events.md`. */
export interface EventCatalogEntry {
  subject: Subject;
  stream: StreamName;
  publisher: ServiceName;
  consumers: readonly ServiceName[];
  description: string;
  schema: z.ZodType;
}

type Described = Omit<EventCatalogEntry, 'subject' | 'stream' | 'schema'>;

const described: { [S in Subject]: Described } = {
  'ticket.created': {
    publisher: 'tickets',
    consumers: ['orders'],
    description:
      "A seller listed a ticket; orders adds it to its replica, with the event's details and the seat it prints on e-tickets.",
  },
  'ticket.updated': {
    publisher: 'tickets',
    consumers: ['orders'],
    description:
      'A ticket changed (edited, reserved, freed or sold); orders applies it to its replica in version order.',
  },
  'order.created': {
    publisher: 'orders',
    consumers: ['tickets', 'expiration', 'payments', 'notifications'],
    description:
      'A buyer reserved a ticket; tickets marks it reserved, expiration schedules the expiry, payments copies the order, notifications mails the buyer when to pay by.',
  },
  'order.cancelled': {
    publisher: 'orders',
    consumers: ['tickets', 'payments', 'notifications'],
    description:
      'An order was cancelled (by the buyer or on expiry); tickets frees the ticket, payments marks its copy cancelled, notifications tells the buyer when it expired.',
  },
  'order.completed': {
    publisher: 'orders',
    consumers: ['payments', 'tickets', 'notifications'],
    description:
      'An order was paid, with its e-ticket; payments marks its copy complete, tickets marks the ticket sold, notifications mails the receipt and e-ticket to the buyer and the news to the seller.',
  },
  'payment.succeeded': {
    publisher: 'payments',
    consumers: ['orders'],
    description: 'Stripe confirmed the payment of an order; orders completes it.',
  },
  'payment.refunded': {
    publisher: 'payments',
    consumers: ['tickets', 'orders', 'notifications'],
    description:
      "A payment was refunded, e.g. because it succeeded after its order was cancelled; tickets voids the order's ticket at the door, orders marks the order refunded (its e-ticket void), notifications tells the buyer.",
  },
  'expiration.completed': {
    publisher: 'expiration',
    consumers: ['orders'],
    description: "An order's reservation window ended; orders cancels it unless it is complete.",
  },
  'session.revoked': {
    publisher: 'auth',
    consumers: ['tickets', 'orders', 'payments'],
    description:
      'A user signed out (one session) or signed out everywhere (all their sessions); every service refuses those tokens from then on. Not a durable consumer: every process of every service reads it with its own ordered consumer, replaying the last token lifetime at start-up.',
  },
  'user.created': {
    publisher: 'auth',
    consumers: ['notifications'],
    description:
      'Someone signed up; published in the transaction that creates the account; notifications keeps a replica of users (their email addresses).',
  },
  'user.password-reset-requested': {
    publisher: 'auth',
    consumers: ['notifications'],
    description:
      'Someone asked to reset the password of an existing account; notifications mails the single-use link.',
  },
};

/** Every event with its stream, publisher, consumers and schema: the source of `docs/events.md`. */
export const eventCatalog: readonly EventCatalogEntry[] = (Object.keys(eventSchemas) as Subject[]).map(
  (subject) => ({
    subject,
    stream: streamFor(subject),
    schema: eventSchemas[subject],
    ...described[subject],
  }),
);
