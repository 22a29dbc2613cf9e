import type { StripeEventObject } from '../webhooks/stripe-event';

/** What a service call needs to know about the API request that caused it. */
export interface RequestContext {
  /** `req_...`, sent back in the `Request-Id` header and in events' `request.id`. */
  requestId: string | null;
  idempotencyKey: string | null;
  /** Events created during the call; their webhooks go out once the response has been sent. */
  events: StripeEventObject[];
}
