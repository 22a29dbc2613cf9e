import { z } from 'zod';
import { idSchema } from './primitives';

/**
 * Fires when an order's reservation window is over (the BullMQ job scheduled for `expiresAt`).
 * Published by expiration; consumed by orders, which cancels the order unless it is complete.
 */
export const expirationCompletedSubject = 'expiration.completed';

/** The `data` of an `expiration.completed` event. */
export const expirationCompletedSchema = z.object({
  orderId: idSchema,
});

/** The `data` of an `expiration.completed` event. */
export type ExpirationCompletedData = z.infer<typeof expirationCompletedSchema>;
