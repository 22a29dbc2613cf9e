import { defineRoute } from '@glotixz/common/express';
import express, { type Request, type Response, type Router } from 'express';
import { webhookAckSchema } from '../payments/payments.schemas';
import type { WebhookService } from './stripe-webhook.service';

/** Where Stripe posts its events. */
export const webhookPath = '/api/payments/webhook';

/**
 * For `rawRoutes`: keeps the webhook's body as the exact bytes Stripe signed. It runs before the
 * app's JSON parser, which then leaves the already-read body alone.
 */
export function mountWebhookBody(router: Router): void {
  router.post(webhookPath, express.raw({ type: 'application/json', limit: '512kb' }));
}

/** The webhook route: no user, the Stripe signature is the authentication. */
export function webhookRoutes(webhooks: WebhookService) {
  return [
    defineRoute({
      method: 'post',
      path: webhookPath,
      operationId: 'receiveStripeEvent',
      summary: 'Stripe webhook',
      description:
        'Stripe posts an Event (`application/json`) signed in the `Stripe-Signature` header over the ' +
        "raw body with the endpoint's secret: the platform endpoint's (`STRIPE_WEBHOOK_SECRET`) or, " +
        "for the events of the sellers' connected accounts, the Connect endpoint's " +
        '(`STRIPE_CONNECT_WEBHOOK_SECRET`), both at this URL; a signature made with neither, or ' +
        'older than 5 minutes, answers 400. A Connect event must name its `account`; of those only ' +
        '`account.updated` about that account is handled, the others are acknowledged and ignored. ' +
        'From the platform endpoint it handles `payment_intent.succeeded` (records the payment; `payment.succeeded`, or a ' +
        'refund when the order was cancelled) and `payment_intent.payment_failed` (records the ' +
        "decline), `account.updated` (keeps a seller's connected-account status) and `charge.refunded` " +
        "(a refund made in Stripe's dashboard: the seller's transfer is reversed, the refund recorded); " +
        'other types are acknowledged and ignored. Each event id is handled once: a replay ' +
        'answers 200 with `duplicate: true`.',
      tags: ['webhooks'],
      responses: { 200: { description: 'Received', schema: webhookAckSchema } },
      errors: ['INVALID_SIGNATURE', 'BAD_REQUEST', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'],
      handler: receive,
    }),
  ];

  async function receive(req: Request, res: Response): Promise<void> {
    res.json(await webhooks.receive(req.body, req.get('stripe-signature')));
  }
}
