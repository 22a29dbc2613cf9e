/** The shapes the Glotixz APIs answer (see docs: ARCHITECTURE "API shapes"). */

/** A signed-in user. */
export interface User {
  id: string;
  email: string;
}

/** Where a ticket stands: on sale, held by an unpaid order, or bought by a paid one. */
export type TicketStatus = 'available' | 'reserved' | 'sold';

/** A ticket; `price` is in integer minor units of `currency` (lower-case ISO 4217). */
export interface Ticket {
  id: string;
  title: string;
  price: number;
  currency: string;
  /** The seller. */
  userId: string;
  /** The order holding (or, once sold, that bought) the ticket; null while it is available. */
  orderId: string | null;
  status: TicketStatus;
  version: number;
}

/** An order's life: it holds its ticket while awaiting payment, until paid or cancelled. */
export type OrderStatus = 'awaiting_payment' | 'cancelled' | 'complete';

/** A buyer's order for one ticket. */
export interface Order {
  id: string;
  status: OrderStatus;
  userId: string;
  /** ISO 8601 UTC: the ticket is released if the order is still unpaid then. */
  expiresAt: string;
  ticket: { id: string; title: string; price: number; currency: string };
  version: number;
}

/** A payment attempt for an order (payments service). */
export interface Payment {
  id: string;
  orderId: string;
  status: string;
  clientSecret: string;
  amount: number;
  currency: string;
  /** Present when the payments service is configured for the Stripe Payment Element. */
  publishableKey?: string;
  lastError?: { code: string | null; declineCode: string | null; message: string };
}

/** A keyset-paginated list. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** An error answer: `{ code, message, details? }`. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}
