import { consumerTable } from '@glotixz/common/bus';
import type { NotificationsDb } from '../db/db';
import { emailConsumers, type EmailConsumerDeps } from '../emails/emails.consumers';
import { userCreatedConsumer } from '../users/users.consumers';

/**
 * The notifications service's consumers: one row per subject, each handled once per event (I2).
 * `user.created` feeds the users replica; the others queue emails.
 */
export function notificationsConsumers(db: NotificationsDb, deps: EmailConsumerDeps) {
  const consumer = consumerTable({ service: 'notifications', db });
  return [consumer(userCreatedConsumer), ...emailConsumers(consumer, deps)];
}
