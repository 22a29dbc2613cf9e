/** The event types the sandbox creates (the webhook endpoint is subscribed to all of them). */
export type StripeEventType =
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'payment_intent.canceled'
  | 'charge.refunded'
  | 'refund.created'
  | 'account.updated'
  | 'transfer.created'
  | 'transfer.reversed';

/** An Event as Stripe's API and webhooks carry it. */
export interface StripeEventObject {
  id: string;
  object: 'event';
  /**
   * The connected account the event happened on (`acct_…`); present only on such events, which
   * Stripe delivers to Connect webhook endpoints rather than to the platform's own.
   */
  account?: string;
  api_version: string;
  created: number;
  data: { object: unknown };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: StripeEventType;
}
