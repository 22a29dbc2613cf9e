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
  /**
   * The terms of the order holding the ticket (reserved or sold): what the buyer pays, whatever
   * the seller edited since. Null while available; absent from a service that does not send it.
   */
  heldTerms?: TicketTerms | null;
  version: number;
}

/** What a ticket is sold as: its title and price (integer minor units of `currency`). */
export interface TicketTerms {
  title: string;
  price: number;
  currency: string;
}

/** An order's life: it holds its ticket while awaiting payment, until paid or cancelled. */
export type OrderStatus = 'awaiting_payment' | 'cancelled' | 'complete';

/** Why an order was cancelled: its hold ran out unpaid, or its buyer cancelled it. */
export type CancelReason = 'expired' | 'buyer';

/** A buyer's order for one ticket. */
export interface Order {
  id: string;
  status: OrderStatus;
  userId: string;
  /** ISO 8601 UTC: when the order was placed (absent from a service that does not send it). */
  createdAt?: string;
  /** ISO 8601 UTC: the ticket is released if the order is still unpaid then. */
  expiresAt: string;
  /** Set once cancelled; null otherwise; absent from a service that does not send it. */
  cancelReason?: CancelReason | null;
  /** The order's own terms, fixed when it was placed: every view and the charge use these. */
  ticket: TicketTerms & { id: string };
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
