import type { z } from 'zod';
import { expirationCompletedSchema, expirationCompletedSubject } from './expiration-completed.event';
import { orderCancelledSchema, orderCancelledSubject } from './order-cancelled.event';
import { orderCompletedSchema, orderCompletedSubject } from './order-completed.event';
import { orderCreatedSchema, orderCreatedSubject } from './order-created.event';
import { paymentRefundedSchema, paymentRefundedSubject } from './payment-refunded.event';
import { paymentSucceededSchema, paymentSucceededSubject } from './payment-succeeded.event';
import { sessionRevokedSchema, sessionRevokedSubject } from './session-revoked.event';
import { ticketCreatedSchema, ticketCreatedSubject } from './ticket-created.event';
import { ticketUpdatedSchema, ticketUpdatedSubject } from './ticket-updated.event';
import { userCreatedSchema, userCreatedSubject } from './user-created.event';
import {
  userPasswordResetRequestedSchema,
  userPasswordResetRequestedSubject,
} from './user-password-reset-requested.event';

/** The zod schema of the `data` of every event, by subject. The one source of the contracts. */
export const eventSchemas = {
  [ticketCreatedSubject]: ticketCreatedSchema,
  [ticketUpdatedSubject]: ticketUpdatedSchema,
  [orderCreatedSubject]: orderCreatedSchema,
  [orderCancelledSubject]: orderCancelledSchema,
  [orderCompletedSubject]: orderCompletedSchema,
  [paymentSucceededSubject]: paymentSucceededSchema,
  [paymentRefundedSubject]: paymentRefundedSchema,
  [expirationCompletedSubject]: expirationCompletedSchema,
  [sessionRevokedSubject]: sessionRevokedSchema,
  [userCreatedSubject]: userCreatedSchema,
  [userPasswordResetRequestedSubject]: userPasswordResetRequestedSchema,
} as const satisfies Record<string, z.ZodType>;

/** Maps every subject to the type of its event's `data`. */
export type EventMap = { [S in keyof typeof eventSchemas]: z.infer<(typeof eventSchemas)[S]> };

/** Every event subject. */
export type Subject = keyof EventMap;

/** Every event subject, in catalog order. */
export const subjects = Object.keys(eventSchemas) as Subject[];

/** Whether `value` is a known event subject. */
export function isSubject(value: string): value is Subject {
  return Object.hasOwn(eventSchemas, value);
}
