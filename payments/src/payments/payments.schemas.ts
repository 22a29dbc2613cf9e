import { z } from 'zod';
import { paymentStatuses } from '../db/schema';

const uuidExample = '0b7f6c1e-2f4d-4d8a-9c3e-5a6b7c8d9e0f';

/** `POST /api/payments` body. */
export const payBodySchema = z
  .object({
    orderId: z.uuid('orderId must be a UUID').meta({ example: uuidExample }),
    paymentMethodId: z
      .string()
      .regex(/^pm_\w{1,250}$/, 'paymentMethodId must be a Stripe PaymentMethod id (pm_…)')
      .optional()
      .meta({
        description:
          'Confirm on the server with this PaymentMethod. Leave it out to confirm in the browser with the client secret.',
        example: 'pm_card_visa',
      }),
  })
  .strict()
  .meta({ id: 'Pay' });

/** `GET /api/payments` query. */
export const paymentQuerySchema = z.object({
  orderId: z.uuid('orderId must be a UUID').meta({ example: uuidExample }),
});

/** Why the last attempt failed, as the buyer may see it. */
export const paymentErrorSchema = z
  .object({
    code: z.string().nullable().meta({ example: 'card_declined' }),
    declineCode: z.string().nullable().meta({ example: 'insufficient_funds' }),
    message: z.string().meta({ example: 'Your card has insufficient funds.' }),
  })
  .meta({ id: 'PaymentError' });

/** A payment as the API shows it to the order's buyer. */
export const paymentSchema = z
  .object({
    id: z.uuid(),
    orderId: z.uuid(),
    status: z.enum(paymentStatuses).meta({
      description:
        "`processing` awaits Stripe's verdict; `failed` takes another card; `succeeded`, `refund_pending`, `refunded` and `canceled` (the order was cancelled unpaid) are final for the buyer",
    }),
    clientSecret: z.string().meta({ description: 'For Stripe.js / the Payment Element; keep it private' }),
    amount: z.number().int().meta({ description: 'Integer minor units (cents for usd)' }),
    currency: z.string().meta({ example: 'usd' }),
    publishableKey: z.string().optional().meta({ description: 'Stripe publishable key, when configured' }),
    lastError: paymentErrorSchema.optional().meta({ description: 'Why the last attempt was declined' }),
  })
  .meta({ id: 'Payment' });

/** What Stripe posts to the webhook: an Event, verified by its `Stripe-Signature` header. */
export const webhookAckSchema = z
  .object({ received: z.literal(true), duplicate: z.boolean() })
  .meta({ id: 'WebhookAck' });

/** A payment as the API shows it. */
export type PaymentView = z.infer<typeof paymentSchema>;

/** The webhook's answer. */
export type WebhookAck = z.infer<typeof webhookAckSchema>;
