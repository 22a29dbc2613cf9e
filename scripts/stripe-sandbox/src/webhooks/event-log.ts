import { newId, unixNow } from '../server/ids';
import type { RequestContext } from '../server/request-context';
import type { StripeEventObject, StripeEventType } from './stripe-event';

/** The API version the sandbox writes into events (the one `stripe` v23 pins). */
export const API_VERSION = '2026-10-28.endive';

/**
 * Every event the sandbox has created, in order. An event holds a snapshot of its object taken
 * when it happened, as Stripe's do.
 */
export class EventLog {
  private readonly byId = new Map<string, StripeEventObject>();

  /** @param endpoints how many webhook endpoints are configured now (0 or 1): the event's `pending_webhooks`. */
  constructor(private readonly endpoints: () => number) {}

  /**
   * Creates an event for the current request; the request's webhooks send it after the response.
   * `onAccount` names the connected account an event happened on (a Connect event).
   */
  record(ctx: RequestContext, type: StripeEventType, object: unknown, onAccount?: string): StripeEventObject {
    const event: StripeEventObject = {
      id: newId('evt'),
      object: 'event',
      ...(onAccount === undefined ? {} : { account: onAccount }),
      api_version: API_VERSION,
      created: unixNow(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: this.endpoints(),
      request: { id: ctx.requestId, idempotency_key: ctx.idempotencyKey },
      type,
    };
    this.byId.set(event.id, event);
    ctx.events.push(event);
    return event;
  }

  /** One event by id. */
  get(id: string): StripeEventObject | undefined {
    return this.byId.get(id);
  }

  /** Every event, oldest first. */
  all(): StripeEventObject[] {
    return [...this.byId.values()];
  }
}
