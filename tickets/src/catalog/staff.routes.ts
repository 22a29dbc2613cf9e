import { defineRoute, type AuthedRequest } from '@glotixz/common/express';
import type { Response } from 'express';
import { eventParamsSchema } from './events.schemas';
import {
  addStaffBodySchema,
  attendanceSchema,
  staffListSchema,
  staffMemberParamsSchema,
  staffMemberSchema,
} from './staff.schemas';
import type { StaffService } from './staff.service';

const tags = ['door'];

type AddRequest = AuthedRequest<typeof addStaffBodySchema, undefined, typeof eventParamsSchema>;
type EventRequest = AuthedRequest<undefined, undefined, typeof eventParamsSchema>;
type RemoveRequest = AuthedRequest<undefined, undefined, typeof staffMemberParamsSchema>;

/** The door staff and attendance routes of events: the table first, handlers below. */
export function staffRoutes(staff: StaffService) {
  const routes = [
    defineRoute({
      method: 'post',
      path: '/api/events/:id/staff',
      operationId: 'addEventStaff',
      summary: 'Let an email scan tickets at the door of an event',
      description:
        "The event's organizer only. The email is stored trimmed and lower-case; adding one that is already staff answers 200 with it.",
      tags,
      auth: 'required',
      params: eventParamsSchema,
      body: addStaffBodySchema,
      responses: {
        201: { description: 'Added', schema: staffMemberSchema },
        200: { description: 'Already staff', schema: staffMemberSchema },
      },
      errors: ['NOT_EVENT_STAFF', 'NOT_FOUND'],
      handler: add,
    }),
    defineRoute({
      method: 'get',
      path: '/api/events/:id/staff',
      operationId: 'listEventStaff',
      summary: "An event's door staff",
      description: "The event's organizer only; oldest first.",
      tags,
      auth: 'required',
      params: eventParamsSchema,
      responses: { 200: { description: 'The staff', schema: staffListSchema } },
      errors: ['NOT_EVENT_STAFF', 'NOT_FOUND'],
      handler: list,
    }),
    defineRoute({
      method: 'delete',
      path: '/api/events/:id/staff/:email',
      operationId: 'removeEventStaff',
      summary: "Remove an email from an event's door staff",
      description: "The event's organizer only. 404 when the email is not staff of the event.",
      tags,
      auth: 'required',
      params: staffMemberParamsSchema,
      responses: { 204: { description: 'Removed' } },
      errors: ['NOT_EVENT_STAFF', 'NOT_FOUND'],
      handler: remove,
    }),
    defineRoute({
      method: 'get',
      path: '/api/events/:id/attendance',
      operationId: 'getEventAttendance',
      summary: 'How many tickets of an event were sold, admitted, and are still to come',
      description: "The event's organizer and door staff. Refunded tickets are not counted.",
      tags,
      auth: 'required',
      params: eventParamsSchema,
      responses: { 200: { description: 'The figures', schema: attendanceSchema } },
      errors: ['NOT_EVENT_STAFF', 'NOT_FOUND'],
      handler: attendance,
    }),
  ];
  return routes;

  async function add(req: AddRequest, res: Response): Promise<void> {
    const { member, created } = await staff.add(req.params.id, req.currentUser, req.body.email);
    res.status(created ? 201 : 200).json(member);
  }

  async function list(req: EventRequest, res: Response): Promise<void> {
    res.json({ items: await staff.list(req.params.id, req.currentUser) });
  }

  async function remove(req: RemoveRequest, res: Response): Promise<void> {
    await staff.remove(req.params.id, req.currentUser, req.params.email);
    res.status(204).end();
  }

  async function attendance(req: EventRequest, res: Response): Promise<void> {
    res.set('cache-control', 'no-store').json(await staff.attendance(req.params.id, req.currentUser));
  }
}
