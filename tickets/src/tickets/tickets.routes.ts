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

/** The tickets routes: the table first, handlers below. */
export function ticketsRoutes(tickets: TicketsService) {
  const routes = [
    defineRoute({
      method: 'post',
      path: '/api/tickets',
      operationId: 'createTicket',
      summary: 'List a ticket for sale',
      tags,
      auth: 'required',
      body: createTicketBodySchema,
      responses: { 201: { description: 'The new ticket (version 0)', schema: ticketSchema } },
      handler: create,
    }),
    defineRoute({
      method: 'get',
      path: '/api/tickets',
      operationId: 'listTickets',
      summary: 'Available tickets, newest first',
      description: 'Tickets no order holds, newest first, in pages; `q` filters by title.',
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
      summary: "The signed-in seller's tickets, available, reserved or sold",
      description:
        'Every ticket the signed-in user listed, newest first; `status` says whether it is available, reserved by an unpaid order, or sold.',
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
      summary: 'One ticket, available, reserved or sold',
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
      summary: "Edit one's own ticket while no order holds it",
      description:
        'Only an available ticket can be edited; a reserved or sold one answers 409 `TICKET_RESERVED`.',
      tags,
      auth: 'required',
      params: ticketParamsSchema,
      body: updateTicketBodySchema,
      responses: { 200: { description: 'The edited ticket (version + 1)', schema: ticketSchema } },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'TICKET_RESERVED'],
      handler: update,
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
}
