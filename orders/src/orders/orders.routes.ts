import { renderETicketIcs, renderETicketPdf } from '@glotixz/common/etickets';
import { notFound } from '@glotixz/common/errors';
import { defineRoute, type AuthedRequest } from '@glotixz/common/express';
import type { Request, Response } from 'express';
import {
  eTicketViewSchema,
  feesViewSchema,
  listOrdersQuerySchema,
  orderIdParamsSchema,
  orderPageSchema,
  orderSchema,
  placeOrderBodySchema,
} from './orders.schemas';
import type { OrdersService } from './orders.service';

const tags = ['orders'];

const eticketRules =
  'Only the buyer sees it, once the order is paid: before that, and for anyone else, 404 `NOT_FOUND`. ' +
  'A refunded order answers 409 `TICKET_VOID`.';

type OrderIdRequest = AuthedRequest<undefined, undefined, typeof orderIdParamsSchema>;

/** The orders routes: the table first, handlers below. */
export function ordersRoutes(orders: OrdersService) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/orders/fees',
      operationId: 'getFees',
      summary: 'The platform fee buyers pay on top of a ticket’s price',
      description:
        'Public. The schedule every new order is placed with: the buyer pays price + fee = total, the ' +
        'seller receives the price. An order keeps the fee it was placed with.',
      tags,
      responses: { 200: { description: 'The fee schedule', schema: feesViewSchema } },
      handler: getFees,
    }),
    defineRoute({
      method: 'post',
      path: '/api/orders',
      operationId: 'placeOrder',
      summary: 'Reserve a ticket by placing an order',
      description:
        'The order awaits payment and expires after the reservation window. Only an `available` ' +
        'ticket can be ordered: a reserved one answers 409 `TICKET_RESERVED`, a sold one ' +
        '`TICKET_SOLD`, one its seller took down `TICKET_UNLISTED`, and one whose event has started ' +
        '(or that closed) `EVENT_STARTED`. An order placed before the start keeps its hold. ' +
        'A buyer holds at most ' +
        '`MAX_HOLDS_PER_BUYER` unpaid orders (409 `HOLD_LIMIT_REACHED`), may attempt `ORDER_RATE_MAX` ' +
        'placements per `ORDER_RATE_WINDOW_SECONDS` (429 `RATE_LIMITED`, `Retry-After`), and after an ' +
        'order for a ticket was cancelled or expired waits `HOLD_COOLDOWN_SECONDS` before holding that ' +
        'ticket again (409 `HOLD_COOLDOWN`, `Retry-After`). The order fixes the platform fee and the ' +
        'total with the price (see `GET /api/orders/fees`); a total above 99,999,999 minor units, the ' +
        'most one payment can be, answers 422 `ORDER_TOTAL_TOO_LARGE`.',
      tags,
      auth: 'required',
      body: placeOrderBodySchema,
      responses: { 201: { description: 'The order, awaiting payment', schema: orderSchema } },
      errors: [
        'NOT_FOUND',
        'OWN_TICKET',
        'TICKET_RESERVED',
        'TICKET_SOLD',
        'TICKET_UNLISTED',
        'EVENT_STARTED',
        'ORDER_TOTAL_TOO_LARGE',
        'HOLD_LIMIT_REACHED',
        'HOLD_COOLDOWN',
        'RATE_LIMITED',
      ],
      handler: placeOrder,
    }),
    defineRoute({
      method: 'get',
      path: '/api/orders',
      operationId: 'listOrders',
      summary: 'My orders, newest first',
      tags,
      auth: 'required',
      query: listOrdersQuerySchema,
      responses: { 200: { description: 'A page of my orders', schema: orderPageSchema } },
      handler: listOrders,
    }),
    defineRoute({
      method: 'get',
      path: '/api/orders/:id',
      operationId: 'getOrder',
      summary: 'One of my orders',
      tags,
      auth: 'required',
      params: orderIdParamsSchema,
      responses: { 200: { description: 'The order', schema: orderSchema } },
      errors: ['NOT_FOUND'],
      handler: getOrder,
    }),
    defineRoute({
      method: 'get',
      path: '/api/orders/:id/eticket',
      operationId: 'getOrderETicket',
      summary: 'The e-ticket of my paid order',
      description: eticketRules,
      tags,
      auth: 'required',
      params: orderIdParamsSchema,
      responses: { 200: { description: 'The e-ticket', schema: eTicketViewSchema } },
      errors: ['NOT_FOUND', 'TICKET_VOID'],
      handler: getETicket,
    }),
    defineRoute({
      method: 'get',
      // A literal dot after a literal segment: Express 5 matches it as it is, and the `:id`
      // before it ends at the slash.
      path: '/api/orders/:id/eticket.pdf',
      operationId: 'getOrderETicketPdf',
      summary: 'The e-ticket of my paid order, as a printable PDF',
      description: `${eticketRules} Answers \`application/pdf\` as an attachment.`,
      tags,
      auth: 'required',
      params: orderIdParamsSchema,
      responses: { 200: { description: 'The e-ticket as a one-page PDF (application/pdf)' } },
      errors: ['NOT_FOUND', 'TICKET_VOID'],
      handler: getETicketPdf,
    }),
    defineRoute({
      method: 'get',
      path: '/api/orders/:id/eticket.ics',
      operationId: 'getOrderETicketIcs',
      summary: "The event of my paid order's e-ticket, as a calendar entry",
      description: `${eticketRules} Answers \`text/calendar\`.`,
      tags,
      auth: 'required',
      params: orderIdParamsSchema,
      responses: { 200: { description: 'An iCalendar entry for the event (text/calendar)' } },
      errors: ['NOT_FOUND', 'TICKET_VOID'],
      handler: getETicketIcs,
    }),
    cancelRoute('post', '/api/orders/:id/cancel', 'cancelOrder'),
    cancelRoute('delete', '/api/orders/:id', 'deleteOrder'),
  ];

  /** Cancelling answers on two routes: `POST …/cancel` for forms, `DELETE` for API clients. */
  function cancelRoute(method: 'post' | 'delete', path: string, operationId: string) {
    return defineRoute({
      method,
      path,
      operationId,
      summary: 'Cancel my order while it awaits payment',
      description:
        'Frees the ticket. An already cancelled order is answered unchanged; a paid order answers 409.',
      tags,
      auth: 'required',
      params: orderIdParamsSchema,
      responses: { 200: { description: 'The cancelled order', schema: orderSchema } },
      errors: ['NOT_FOUND', 'ORDER_NOT_CANCELLABLE'],
      handler: cancelOrder,
    });
  }

  function getFees(_req: Request, res: Response): void {
    res.set('cache-control', 'public, max-age=60').json(orders.fees());
  }

  async function placeOrder(
    req: AuthedRequest<typeof placeOrderBodySchema, undefined, undefined>,
    res: Response,
  ): Promise<void> {
    res.status(201).json(await orders.place(req.currentUser, req.body.ticketId));
  }

  async function listOrders(
    req: AuthedRequest<undefined, typeof listOrdersQuerySchema, undefined>,
    res: Response,
  ): Promise<void> {
    res.json(await orders.list(req.currentUser.id, req.query));
  }

  async function getOrder(req: OrderIdRequest, res: Response): Promise<void> {
    res.json(await orders.get(req.currentUser.id, req.params.id));
  }

  async function getETicket(req: OrderIdRequest, res: Response): Promise<void> {
    res.json(await orders.eticket(req.currentUser.id, req.params.id));
  }

  async function getETicketPdf(req: OrderIdRequest, res: Response): Promise<void> {
    const pdf = await renderETicketPdf(await orders.eticket(req.currentUser.id, req.params.id));
    res
      .type('application/pdf')
      .attachment(`glotixz-ticket-${req.params.id}.pdf`)
      .set('cache-control', 'private, no-store')
      .send(pdf);
  }

  async function getETicketIcs(req: OrderIdRequest, res: Response): Promise<void> {
    const ics = renderETicketIcs(await orders.eticket(req.currentUser.id, req.params.id));
    // Only a ticket listed before listings belonged to events has no event to put in a calendar.
    if (ics === null) throw notFound('Event of the e-ticket');
    res
      .type('text/calendar; charset=utf-8')
      .attachment(`glotixz-ticket-${req.params.id}.ics`)
      .set('cache-control', 'private, no-store')
      .send(ics);
  }

  async function cancelOrder(req: OrderIdRequest, res: Response): Promise<void> {
    res.json(await orders.cancel(req.currentUser.id, req.params.id));
  }
}
