import { pageCursorSchema, pageLimitSchema, pageSchema } from '@glotixz/common/express';
import { z } from 'zod';
import { eTicketSchema, feeScheduleSchema, orderStatuses } from '@glotixz/common/events';
import { cancelReasons } from '../db/schema';

const uuidExample = '0b7f6c1e-2f4d-4d8a-9c3e-5a6b7c8d9e0f';

/** `POST /api/orders` body. */
export const placeOrderBodySchema = z
  .object({
    ticketId: z.uuid('ticketId must be a UUID').meta({ example: uuidExample }),
  })
  .strict()
  .meta({ id: 'PlaceOrder' });

/** `:id` of an order route; a malformed id answers 400, never 500. */
export const orderIdParamsSchema = z.object({
  id: z.uuid('id must be a UUID').meta({ example: uuidExample }),
});

/** `GET /api/orders` query. */
export const listOrdersQuerySchema = z.object({
  limit: pageLimitSchema({ max: 100, default: 20 }),
  cursor: pageCursorSchema.optional(),
});

/** An order as the API shows it. */
export const orderSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(orderStatuses).meta({
      description:
        'awaiting_payment: reserved until `expiresAt`; complete: paid, with an e-ticket; cancelled: by its buyer or because it expired; refunded: its payment was refunded (an e-ticket it had is void)',
    }),
    cancelReason: z.enum(cancelReasons).nullable().meta({
      description:
        'Why a cancelled order was cancelled: `expired` (its reservation ran out), `buyer` (its buyer cancelled it); null unless `status` is `cancelled`, or `refunded` after a cancellation (a late payment refunded)',
    }),
    userId: z.uuid(),
    createdAt: z.iso.datetime().meta({ description: 'When the order was placed' }),
    expiresAt: z.iso.datetime().meta({ description: 'When the reservation ends unless paid' }),
    ticket: z
      .object({
        id: z.uuid(),
        title: z.string(),
        price: z.number().int().meta({
          description: 'Integer minor units (cents for usd): what the seller receives',
        }),
        fee: z.number().int().meta({
          description:
            'The platform fee on top of the price, in minor units (0 for orders placed before fees)',
        }),
        total: z.number().int().meta({ description: 'What the buyer pays: price + fee, in minor units' }),
        currency: z.string().meta({ example: 'usd' }),
      })
      .meta({
        description:
          "The order's terms: the ticket's title, price and currency when the order was placed, and the fee and total computed then, fixed from then on",
      }),
    version: z.number().int().nonnegative(),
  })
  .meta({ id: 'Order' });

/** `GET /api/orders/fees`: the platform fee schedule new orders are placed with. */
export const feesViewSchema = z
  .object({
    schedule: feeScheduleSchema.meta({
      id: 'FeeSchedule',
      description:
        'fee = round-half-up(price × percentBps / 10000) + fixed, in minor units; `currencies` overrides `default` per currency; in huf, isk, twd and ugx (paid out in whole units) the fee is rounded up to a multiple of 100',
    }),
  })
  .meta({ id: 'Fees' });

/** The platform fee schedule, as the API shows it. */
export type FeesView = z.infer<typeof feesViewSchema>;

/** A page of orders. */
export const orderPageSchema = pageSchema(orderSchema, 'OrderPage');

/** An order as the API shows it. */
export type OrderView = z.infer<typeof orderSchema>;

/** A page of orders. */
export type OrderPage = z.infer<typeof orderPageSchema>;

/** What the e-ticket prints as the holder's email: the buyer's, when it is a valid address. */
export const buyerEmailSchema = z.email();

/** The e-ticket of a complete order, as `GET /api/orders/:id/eticket` answers it. */
export const eTicketViewSchema = eTicketSchema.meta({
  id: 'ETicket',
  description:
    'What admits its holder at the door: `code` is the signed token the QR code carries (ES256 compact JWS, `typ` eticket+jwt); the rest is what the printed ticket shows. `event` is null only for tickets listed before listings belonged to events',
});
