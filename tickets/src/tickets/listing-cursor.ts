import { z } from 'zod';

/** Where a page of `GET /api/tickets` ends: the sort it was made for and the last listing's keys. */
export interface ListingCursor {
  sort: 'date' | 'price';
  startsAt: Date;
  price: number;
  id: string;
}

const cursorText = /^[A-Za-z0-9_-]{1,200}$/;
const payloadSchema = z.tuple([
  z.enum(['date', 'price']),
  z.iso.datetime({ precision: 3 }),
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  z.uuid(),
]);
const earliest = Date.UTC(1970, 0, 1);
const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Encodes a listing cursor as opaque base64url text. */
export function encodeListingCursor(cursor: ListingCursor): string {
  const payload = [cursor.sort, cursor.startsAt.toISOString(), cursor.price, cursor.id];
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** Decodes a cursor made by {@link encodeListingCursor}; `null` for anything else. */
export function decodeListingCursor(text: string): ListingCursor | null {
  if (!cursorText.test(text)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) return null;
  const [sort, iso, price, id] = parsed.data;
  const startsAt = new Date(iso);
  const time = startsAt.getTime();
  if (!(time >= earliest && time <= latest) || startsAt.toISOString() !== iso) return null;
  return { sort, startsAt, price, id };
}

const invalidCursor = 'Cursor is invalid; pass a nextCursor from a previous page';

/** A `cursor` query parameter of `GET /api/tickets`; anything but a `nextCursor` answers 400. */
export const listingCursorSchema = z
  .string()
  .max(200, invalidCursor)
  .regex(cursorText, invalidCursor)
  .transform((text, ctx) => {
    const cursor = decodeListingCursor(text);
    if (!cursor) {
      ctx.addIssue({ code: 'custom', message: invalidCursor });
      return z.NEVER;
    }
    return cursor;
  })
  .meta({
    description: 'The nextCursor of the previous page (of the same sort)',
    example:
      'WyJkYXRlIiwiMjAyNy0wNi0yMVQxNzozMDowMC4wMDBaIiw1MDAwLCIzZjFjMmE5ZS04YjdkLTRjNmUtOWYwYS0xYjJjM2Q0ZTVmNjAiXQ',
  });
