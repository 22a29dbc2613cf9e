import {
  backoffDelay,
  RetryLater,
  type DeclareTransactional,
  type MessageContext,
  type TransactionalConsumer,
} from '@glotixz/common/bus';
import {
  orderCancelledSubject,
  orderCompletedSubject,
  orderCreatedSubject,
  paymentRefundedSubject,
  userPasswordResetRequestedSubject,
  type Subject,
} from '@glotixz/common/events';
import type { NotificationsTx } from '../db/db';
import { usersRepo } from '../users/users.repo';
import type { EmailsMetrics } from './emails.metrics';
import { emailsRepo, type NewEmail } from './emails.repo';
import { renderEmail, type EmailContent } from './templates/layout';
import * as templates from './templates/templates';
import type { LinkBase, TemplateName } from './templates/templates';

/** What the email consumers share. */
export interface EmailConsumerDeps {
  links: LinkBase;
  metrics: EmailsMetrics;
  /** Called once a consumer's transaction queued emails: the sender looks at once. */
  wake: () => void;
}

/** Emails a handler queued, for `afterCommit`. */
type Queued = TemplateName[];

/**
 * How long an email waits for its recipient's `user.created` (it travels on another stream, so it
 * may come later): 500 ms doubling to a minute, redelivered until the consumer's `RetryLater`
 * limit (a day), then dead-lettered like any event that cannot be handled.
 */
export const recipientBackoff = { baseMs: 500, capMs: 60_000 };

async function recipient(tx: NotificationsTx, userId: string, context: MessageContext): Promise<string> {
  const email = await usersRepo.emailOf(tx, userId);
  if (email) return email;
  throw new RetryLater(
    backoffDelay(context.deliveryCount, recipientBackoff),
    `user ${userId} is not in the users replica yet`,
  );
}

/** One email to queue: its template, recipient, content and attachments. */
interface Planned {
  template: TemplateName;
  recipient: string;
  content: EmailContent;
  attachments?: NewEmail['attachments'];
}

async function queue(tx: NotificationsTx, context: MessageContext, planned: Planned[]): Promise<Queued> {
  const queued: Queued = [];
  for (const email of planned) {
    const written = await emailsRepo.enqueue(tx, {
      eventId: context.eventId,
      template: email.template,
      recipient: email.recipient,
      rendered: await renderEmail(email.content),
      attachments: email.attachments,
    });
    if (written) queued.push(email.template);
  }
  return queued;
}

function emailConsumer<S extends Subject>(
  deps: EmailConsumerDeps,
  subject: S,
  handle: TransactionalConsumer<S, NotificationsTx, Queued>['handle'],
): TransactionalConsumer<S, NotificationsTx, Queued> {
  return {
    subject,
    order: 'none',
    handle,
    afterCommit(queued) {
      for (const template of queued) deps.metrics.queued.inc({ template });
      if (queued.length > 0) deps.wake();
    },
  };
}

/**
 * The consumers that decide which emails an event causes. Each runs in its inbox transaction (I2)
 * and only writes rows to `emails`, keyed by event and template; the sender delivers them later.
 */
export function emailConsumers(declare: DeclareTransactional<NotificationsTx>, deps: EmailConsumerDeps) {
  const { links } = deps;
  const consumer = <S extends Subject>(
    subject: S,
    handle: TransactionalConsumer<S, NotificationsTx, Queued>['handle'],
  ) => declare(emailConsumer(deps, subject, handle));
  return [
    consumer(orderCreatedSubject, async (tx, order, context) =>
      queue(tx, context, [
        {
          template: 'reservation-held',
          recipient: await recipient(tx, order.userId, context),
          content: templates.reservationHeld(links, {
            id: order.id,
            expiresAt: order.expiresAt,
            title: order.ticket.title,
            price: order.ticket.price,
            currency: order.ticket.currency,
          }),
        },
      ]),
    ),

    consumer(orderCompletedSubject, async (tx, order, context) => {
      const planned: Planned[] = [];
      const { eticket } = order;
      if (order.userId) {
        const holderEmail = eticket?.holder.id === order.userId ? eticket.holder.email : null;
        planned.push({
          template: 'receipt',
          // The e-ticket names the buyer's address; the replica answers for older events.
          recipient: holderEmail ?? (await recipient(tx, order.userId, context)),
          content: templates.receipt(links, {
            id: order.id,
            title: order.ticket.title ?? eticket?.ticket.title,
            price: order.ticket.price,
            fee: order.ticket.fee,
            total: order.ticket.total,
            currency: order.ticket.currency,
            eventName: eticket?.event?.name,
            startsAt: eticket?.event?.startsAt,
            timezone: eticket?.event?.timezone,
            hasETicket: eticket !== undefined,
          }),
          attachments: eticket ? { eticket } : undefined,
        });
      }
      if (order.sellerId) {
        planned.push({
          template: 'ticket-sold',
          recipient: await recipient(tx, order.sellerId, context),
          content: templates.ticketSold(links, {
            title: order.ticket.title,
            price: order.ticket.price,
            currency: order.ticket.currency,
          }),
        });
      }
      return queue(tx, context, planned);
    }),

    consumer(orderCancelledSubject, async (tx, order, context) => {
      // A buyer who cancelled knows already; only a reservation that ran out is news.
      if (order.reason !== 'expired' || !order.userId) return [];
      return queue(tx, context, [
        {
          template: 'order-expired',
          recipient: await recipient(tx, order.userId, context),
          content: templates.orderExpired(links, { title: order.ticket.title }),
        },
      ]);
    }),

    consumer(paymentRefundedSubject, async (tx, refund, context) => {
      if (!refund.userId) return [];
      return queue(tx, context, [
        {
          template: 'refund-issued',
          recipient: await recipient(tx, refund.userId, context),
          content: templates.refundIssued(links, refund),
        },
      ]);
    }),

    consumer(userPasswordResetRequestedSubject, async (tx, reset, context) => {
      // A link that stopped working before it could be sent is only confusing.
      if (Date.parse(reset.expiresAt) <= Date.now()) {
        context.logger.info('password reset expired before it could be mailed; skipped');
        return [];
      }
      return queue(tx, context, [
        {
          template: 'password-reset',
          recipient: reset.email,
          content: templates.passwordReset(links, reset),
        },
      ]);
    }),
  ];
}
