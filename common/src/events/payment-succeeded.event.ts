import { z } from 'zod';
import { currencySchema, idSchema, minorUnitsSchema } from './primitives';

/**
 * Fires when Stripe confirms a PaymentIntent for an order that can still be completed (webhook
 * `payment_intent.succeeded`, deduplicated, or the reconciler finding the PaymentIntent succeeded
 * when no webhook came; once per payment either way). Published by payments; consumed by orders,
 * which completes the order.
 */
export const paymentSucceededSubject = 'payment.succeeded';

/** The `data` of a `payment.succeeded` event. */
export const paymentSucceededSchema = z.object({
  id: idSchema,
  orderId: idSchema,
  stripePaymentIntentId: z.string().min(1),
  amount: minorUnitsSchema,
  currency: currencySchema,
});

/** The `data` of a `payment.succeeded` event. */
export type PaymentSucceededData = z.infer<typeof paymentSucceededSchema>;
