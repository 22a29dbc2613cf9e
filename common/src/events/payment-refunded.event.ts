import { z } from 'zod';
import { currencySchema, idSchema, minorUnitsSchema } from './primitives';

/**
 * Fires when payments refunds a charge, e.g. a payment that succeeded after its order was
 * cancelled (I6). Published by payments; consumed by tickets, which voids the order's ticket at the door.
 */
export const paymentRefundedSubject = 'payment.refunded';

/** The `data` of a `payment.refunded` event. */
export const paymentRefundedSchema = z.object({
  id: idSchema,
  orderId: idSchema,
  stripePaymentIntentId: z.string().min(1),
  amount: minorUnitsSchema,
  currency: currencySchema,
  reason: z.string().min(1),
  /** The buyer who was refunded. Absent from events published before payments carried it. */
  userId: idSchema.optional(),
});

/** The `data` of a `payment.refunded` event. */
export type PaymentRefundedData = z.infer<typeof paymentRefundedSchema>;
