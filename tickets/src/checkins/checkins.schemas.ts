import { z } from 'zod';

/** `POST /api/checkins` body. */
export const checkinBodySchema = z
  .object({
    code: z.string().max(4096, 'Code must be at most 4096 characters').meta({
      description: "The e-ticket's code, as its QR code holds it",
      example: 'eyJhbGciOiJFUzI1NiIs…',
    }),
    eventId: z.uuid('Event id must be a UUID').optional().meta({
      description: 'The event being scanned for: a ticket for another event answers 422 WRONG_EVENT',
    }),
  })
  .strict()
  .meta({ id: 'Checkin' });

/** A ticket admitted at the door. */
export const admissionSchema = z
  .object({
    result: z.literal('admitted'),
    admittedAt: z.iso.datetime().meta({ example: '2027-06-21T17:02:11.000Z' }),
    ticket: z.object({ id: z.uuid(), title: z.string() }),
    eventId: z.uuid(),
  })
  .meta({ id: 'Admission' });

/** A ticket admitted at the door. */
export type Admission = z.infer<typeof admissionSchema>;

/** `GET /api/checkins/keys`: the public keys e-tickets are signed with. */
export const publicJwksSchema = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal('EC'),
        crv: z.literal('P-256'),
        x: z.string(),
        y: z.string(),
        kid: z.string(),
        alg: z.literal('ES256'),
        use: z.literal('sig'),
      }),
    ),
  })
  .meta({ id: 'ETicketKeys' });
