import { z } from 'zod';
import { eventParamsSchema } from './events.schemas';

/** An email as door staff are known by: trimmed and lower-cased before it is checked or stored. */
const staffEmailSchema = z
  .string()
  .max(320, 'Email must be at most 320 characters')
  .transform((text) => text.trim().toLowerCase())
  .pipe(z.email('Must be an email address'))
  .meta({ example: 'door@example.com', description: 'Compared and stored trimmed and lower-case' });

/** `POST /api/events/:id/staff` body. */
export const addStaffBodySchema = z.object({ email: staffEmailSchema }).strict().meta({ id: 'AddStaff' });

/** `:id` and `:email` of `DELETE /api/events/:id/staff/:email`. */
export const staffMemberParamsSchema = eventParamsSchema.extend({ email: staffEmailSchema });

/** A staff member of an event. */
export const staffMemberSchema = z
  .object({
    email: z.string().meta({ example: 'door@example.com' }),
    addedAt: z.iso.datetime().meta({ example: '2027-06-01T09:00:00.000Z' }),
  })
  .meta({ id: 'StaffMember' });

/** A staff member of an event. */
export type StaffMember = z.infer<typeof staffMemberSchema>;

/** `GET /api/events/:id/staff`: the event's door staff, in the order they were added. */
export const staffListSchema = z.object({ items: z.array(staffMemberSchema) }).meta({ id: 'StaffList' });

/** `GET /api/events/:id/attendance`. */
export const attendanceSchema = z
  .object({
    sold: z.number().int().meta({ description: 'Tickets sold for the event and not refunded' }),
    admitted: z.number().int().meta({ description: 'Of those, how many were admitted at the door' }),
    toCome: z.number().int().meta({ description: 'Sold, not refunded and not admitted yet' }),
  })
  .meta({ id: 'Attendance' });

/** Attendance figures of an event. */
export type Attendance = z.infer<typeof attendanceSchema>;
