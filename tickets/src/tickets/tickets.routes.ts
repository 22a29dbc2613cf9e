import { defineRoute, type AuthedRequest, type ValidRequest } from '@glotixz/common/express';
import type { Response } from 'express';
import {
  createTicketBodySchema,
  listMyTicketsQuerySchema,
  listTicketsQuerySchema,
  ticketPageSchema,
  ticketParamsSchema,
  ticketSchema,
  updateTicketBodySchema,
} from './tickets.schemas';
import type { TicketsService } from './tickets.service';

const tags = ['tickets'];

type CreateRequest = AuthedRequest<typeof createTicketBodySchema, undefined, undefined>;
type ListRequest = ValidRequest<undefined, typeof listTicketsQuerySchema, undefined>;
type ListMineRequest = AuthedRequest<undefined, typeof listMyTicketsQuerySchema, undefined>;
type ShowRequest = ValidRequest<undefined, undefined, typeof ticketParamsSchema>;
type UpdateRequest = AuthedRequest<typeof updateTicketBodySchema, undefined, typeof ticketParamsSchema>;
type SellerActionRequest = AuthedRequest<undefined, undefined, typeof ticketParamsSchema>;

/** What a seller's change answers when the listing's status does not allow it. */
const notChangeable = ['FORBIDDEN', 'NOT_FOUND', 'TICKET_RESERVED', 'TICKET_SOLD', 'EVENT_STARTED'] as const;

/** The tickets routes: the table first, handlers below. */
export function ticketsRoutes(tickets: TicketsService) {
  const routes = [
    defineRoute({
      method: 'post',
      path: '/api/tickets',
      operationId: 'createTicket',
      summary: 'List a ticket for an event',
      description:
        'The title is derived from the event name and the seat parts given. An event that has started answers 409 `EVENT_STARTED`.',
      tags,
      auth: 'required',
      body: createTicketBodySchema,
      responses: { 201: { description: 'The new ticket (version 0, available)', schema: ticketSchema } },
      errors: ['EVENT_NOT_FOUND', 'EVENT_STARTED'],
      handler: create,
    }),
    defineRoute({
      method: 'get',
      path: '/api/tickets',
      operationId: 'listTickets',
      summary: 'Available listings of upcoming events',
      description:
        'Listings on sale for events that have not started, filtered by event, text, city, category, dates and price; `sort=date` (default) orders by event start, then price, then id, `sort=price` by price, then event start, then id. Keyset pages: pass `nextCursor` as `cursor` with the same filters and sort.',
      tags,
      query: listTicketsQuerySchema,
      responses: { 200: { description: 'A page of available tickets', schema: ticketPageSchema } },
      handler: list,
    }),
    // Before /api/tickets/:id, which would otherwise take "mine" for an id.
    defineRoute({
      method: 'get',
      path: '/api/tickets/mine',
      operationId: 'listMyTickets',
      summary: "The signed-in seller's tickets, in every status",
      description:
        'Every ticket the signed-in user listed, newest first; `status` says whether it is on sale, reserved by an unpaid order, sold, taken down or closed.',
      tags,
      auth: 'required',
      query: listMyTicketsQuerySchema,
      responses: { 200: { description: "A page of the seller's tickets", schema: ticketPageSchema } },
      handler: listMine,
    }),
    defineRoute({
      method: 'get',
      path: '/api/tickets/:id',
      operationId: 'getTicket',
      summary: 'One ticket, in any status',
      tags,
      params: ticketParamsSchema,
      responses: { 200: { description: 'The ticket', schema: ticketSchema } },
      errors: ['NOT_FOUND'],
      handler: show,
    }),
    defineRoute({
      method: 'put',
      path: '/api/tickets/:id',
      operationId: 'updateTicket',
      summary: "Edit one's own listing while it is available or taken down",
      description:
        'Price, currency, seat parts and note; the title follows the seat. Reserved answers 409 `TICKET_RESERVED`, sold `TICKET_SOLD`, closed or its event started `EVENT_STARTED`.',
      tags,
      auth: 'required',
      params: ticketParamsSchema,
      body: updateTicketBodySchema,
      responses: { 200: { description: 'The edited ticket (version + 1)', schema: ticketSchema } },
      errors: [...notChangeable],
      handler: update,
    }),
    defineRoute({
      method: 'delete',
      path: '/api/tickets/:id',
      operationId: 'unlistTicket',
      summary: "Take one's own listing down",
      description:
        'An available listing becomes `unlisted` (version + 1, `ticket.updated`); one already unlisted is answered as it is. Reserved answers 409 `TICKET_RESERVED`, sold `TICKET_SOLD`, closed or its event started `EVENT_STARTED`.',
      tags,
      auth: 'required',
      params: ticketParamsSchema,
      responses: { 200: { description: 'The listing, unlisted', schema: ticketSchema } },
      errors: [...notChangeable],
      handler: unlist,
    }),
    defineRoute({
      method: 'post',
      path: '/api/tickets/:id/relist',
      operationId: 'relistTicket',
      summary: "Put one's own listing back on sale",
      description:
        'An unlisted listing becomes `available` (version + 1, `ticket.updated`); one already available is answered as it is. Reserved answers 409 `TICKET_RESERVED`, sold `TICKET_SOLD`, closed or its event started `EVENT_STARTED`.',
      tags,
      auth: 'required',
      params: ticketParamsSchema,
      responses: { 200: { description: 'The listing, available', schema: ticketSchema } },
      errors: [...notChangeable],
      handler: relist,
    }),
  ];
  return routes;

  async function create(req: CreateRequest, res: Response): Promise<void> {
    const ticket = await tickets.create(req.currentUser.id, req.body);
    res.status(201).location(`/api/tickets/${ticket.id}`).json(ticket);
  }

  async function list(req: ListRequest, res: Response): Promise<void> {
    res.json(await tickets.list(req.query));
  }

  async function listMine(req: ListMineRequest, res: Response): Promise<void> {
    res.json(await tickets.listMine(req.currentUser.id, req.query));
  }

  async function show(req: ShowRequest, res: Response): Promise<void> {
    res.json(await tickets.get(req.params.id));
  }

  async function update(req: UpdateRequest, res: Response): Promise<void> {
    res.json(await tickets.update(req.currentUser.id, req.params.id, req.body));
  }

  async function unlist(req: SellerActionRequest, res: Response): Promise<void> {
    res.json(await tickets.unlist(req.currentUser.id, req.params.id));
  }

  async function relist(req: SellerActionRequest, res: Response): Promise<void> {
    res.json(await tickets.relist(req.currentUser.id, req.params.id));
  }
}
