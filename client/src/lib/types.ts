/**
 * The shapes the Glotixz APIs answer, named for the client's code. Each is taken from the types
 * generated from the services' OpenAPI documents (`./api/*.d.ts`), never written by hand.
 */
import type { components as Auth } from './api/auth';
import type { components as Orders } from './api/orders';
import type { components as Payments } from './api/payments';
import type { components as Tickets } from './api/tickets';

/** A signed-in user. */
export type User = NonNullable<Auth['schemas']['User']>;

/** A ticket; `price` is in integer minor units of `currency` (lower-case ISO 4217). */
export type Ticket = Tickets['schemas']['Ticket'];

/** Where a listing stands: on sale, held by an unpaid order, bought, taken down by its seller, or closed at its event's start. */
export type TicketStatus = Ticket['status'];

/** A page of tickets. */
export type TicketPage = Tickets['schemas']['TicketPage'];

/** What a seller sends to list a ticket. */
export type NewTicket = Tickets['schemas']['CreateTicket'];

/** A buyer's order for one ticket; its `ticket` holds the terms fixed when it was placed. */
export type Order = Orders['schemas']['Order'];

/** The e-ticket of a paid order: the signed code its QR carries, the event, the seat, the holder. */
export type ETicket = Orders['schemas']['ETicket'];

/** A payment attempt for an order (payments service). */
export type Payment = Payments['schemas']['Payment'];

/** One of a seller's sales with its payout (payments service). */
export type Sale = Payments['schemas']['Sale'];

/** A seller's sales and their totals per currency. */
export type Sales = Payments['schemas']['Sales'];

/** Where a seller's Stripe payout account stands. */
export type PayoutAccountStatus = Payments['schemas']['PayoutAccount']['status'];

/** An error answer: `{ code, message, details? }`. */
export type ApiErrorBody = Tickets['schemas']['Error'];

/** An event on the marketplace, with how many of its listings are on sale and the cheapest. */
export type MarketEvent = Tickets['schemas']['Event'];

/** A page of events. */
export type EventPage = Tickets['schemas']['EventPage'];

/** What a seller sends to create an event (or find the one that exists). */
export type NewEvent = Tickets['schemas']['CreateEvent'];

/** What a seller may change on a listing. */
export type TicketChanges = Tickets['schemas']['UpdateTicket'];
