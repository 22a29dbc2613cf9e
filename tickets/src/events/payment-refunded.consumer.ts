import type { TransactionalConsumer } from '@glotixz/common/bus';
import { paymentRefundedSubject } from '@glotixz/common/events';
import type { TicketsTx } from '../db/db';
import { refundedOrders } from '../db/schema';

/**
 * `payment.refunded`: the order is recorded as refunded, so its e-ticket scans as `TICKET_VOID`
 * from then on (and leaves the event's attendance figures). The ticket itself stays sold to the
 * order: a refund does not put it back on sale. A second refund of the same order changes nothing.
 */
export const paymentRefundedConsumer: TransactionalConsumer<typeof paymentRefundedSubject, TicketsTx, void> =
  {
    subject: paymentRefundedSubject,
    order: 'none',
    async handle(tx, data, { logger }) {
      const recorded = await tx
        .insert(refundedOrders)
        .values({ orderId: data.orderId })
        .onConflictDoNothing()
        .returning({ orderId: refundedOrders.orderId });
      logger.info(
        { orderId: data.orderId, paymentId: data.id },
        recorded.length > 0 ? 'order refunded; its e-ticket is void' : 'order already recorded as refunded',
      );
    },
  };
