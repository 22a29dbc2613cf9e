import { defineRoute, type AuthedRequest } from '@glotixz/common/express';
import type { Request, Response } from 'express';
import { admissionSchema, checkinBodySchema, publicJwksSchema } from './checkins.schemas';
import type { CheckinsService } from './checkins.service';
import type { ETicketJwks } from './eticket-keys';

const tags = ['door'];

type CheckinRequest = AuthedRequest<typeof checkinBodySchema, undefined, undefined>;

/** The check-in routes: the table first, handlers below. */
export function checkinsRoutes(checkins: CheckinsService, jwks: ETicketJwks) {
  const routes = [
    defineRoute({
      method: 'post',
      path: '/api/checkins',
      operationId: 'checkIn',
      summary: 'Admit the e-ticket a code names, once',
      description:
        "By the event's organizer or door staff. The first scan of a ticket admits it (200); every later one answers 409 ALREADY_ADMITTED with the first admission's time in `details.admittedAt`. A refunded ticket answers 409 TICKET_VOID; a code that is not a genuine e-ticket 400 INVALID_TICKET_CODE.",
      tags,
      auth: 'required',
      body: checkinBodySchema,
      responses: { 200: { description: 'Admitted', schema: admissionSchema } },
      errors: [
        'INVALID_TICKET_CODE',
        'NOT_EVENT_STAFF',
        'NOT_FOUND',
        'TICKET_VOID',
        'ALREADY_ADMITTED',
        'WRONG_EVENT',
      ],
      handler: checkIn,
    }),
    defineRoute({
      method: 'get',
      path: '/api/checkins/keys',
      operationId: 'getETicketKeys',
      summary: 'The public keys e-tickets are signed with (JWKS)',
      description:
        'For scanners to verify a code on the device before asking. ES256 keys picked by `kid`; during a rotation both keys are listed.',
      tags,
      responses: { 200: { description: 'The keys', schema: publicJwksSchema } },
      handler: keys,
    }),
  ];
  return routes;

  async function checkIn(req: CheckinRequest, res: Response): Promise<void> {
    res.json(await checkins.checkIn(req.body.code, req.currentUser, req.body.eventId));
  }

  function keys(_req: Request, res: Response): void {
    res.set('cache-control', 'public, max-age=300').json(jwks);
  }
}
