import type { TransactionalConsumer } from '@glotixz/common/bus';
import { userCreatedSubject } from '@glotixz/common/events';
import type { NotificationsTx } from '../db/db';
import { usersRepo } from './users.repo';

/** `user.created`: adds the account to the replica the emails find their recipients in. */
export const userCreatedConsumer: TransactionalConsumer<typeof userCreatedSubject, NotificationsTx, void> = {
  subject: userCreatedSubject,
  order: 'none',
  async handle(tx, data) {
    await usersRepo.insertCreated(tx, data);
  },
};
