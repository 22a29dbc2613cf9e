import { defineRoute, type AuthedRequest, type ValidRequest } from '@glotixz/common/express';
import type { Response } from 'express';
import {
  createEventBodySchema,
  eventPageSchema,
  eventParamsSchema,
  eventSchema,
  listEventsQuerySchema,
} from './events.schemas';
import type { EventsService } from './events.service';

const tags = ['events'];

type CreateRequest = AuthedRequest<typeof createEventBodySchema, undefined, undefined>;
type ListRequest = ValidRequest<undefined, typeof listEventsQuerySchema, undefined>;
type ShowRequest = ValidRequest<undefined, undefined, typeof eventParamsSchema>;

/** The events routes: the table first, handlers below. */
export function eventsRoutes(events: EventsService) {
  const routes = [
    defineRoute({
      method: 'post',
      path: '/api/events',
      operationId: 'createEvent',
      summary: 'Create an event, or find the one that exists',
      description:
        'An event with the same name, venue and start (case, accents and spacing ignored) answers 200 with the existing one; otherwise 201 the new event, organized by the signed-in user.',
      tags,
      auth: 'required',
      body: createEventBodySchema,
      responses: {
        201: { description: 'The new event', schema: eventSchema },
        200: { description: 'The event that already exists', schema: eventSchema },
      },
      handler: create,
    }),
    defineRoute({
      method: 'get',
      path: '/api/events',
      operationId: 'listEvents',
      summary: 'Upcoming events, soonest first',
      description:
        'Events that have not started, by start then id, in keyset pages, each with how many of its listings are on sale and the lowest price. `q` is full-text over name, venue and city, or a name with typos.',
      tags,
      query: listEventsQuerySchema,
      responses: { 200: { description: 'A page of upcoming events', schema: eventPageSchema } },
      handler: list,
    }),
    defineRoute({
      method: 'get',
      path: '/api/events/:id',
      operationId: 'getEvent',
      summary: 'One event, upcoming or past, with its figures',
      tags,
      params: eventParamsSchema,
      responses: { 200: { description: 'The event', schema: eventSchema } },
      errors: ['NOT_FOUND'],
      handler: show,
    }),
  ];
  return routes;

  async function create(req: CreateRequest, res: Response): Promise<void> {
    const { event, created } = await events.create(req.currentUser.id, req.body);
    if (created) res.status(201).location(`/api/events/${event.id}`);
    res.json(event);
  }

  async function list(req: ListRequest, res: Response): Promise<void> {
    res.json(await events.list(req.query));
  }

  async function show(req: ShowRequest, res: Response): Promise<void> {
    res.json(await events.get(req.params.id));
  }
}
