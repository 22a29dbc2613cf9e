import { cursorInstant, cursorSchema, decodeCursor, encodeCursor } from '@glotixz/common/express';
import { z } from 'zod';

/** Where a page of `GET /api/tickets` ends: the sort it was made for and the last listing's keys. */
export interface ListingCursor {
  sort: 'date' | 'price';
  startsAt: Date;
  price: number;
  id: string;
}

const payloadSchema = z.tuple([
  z.enum(['date', 'price']),
  z.iso.datetime({ precision: 3 }),
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  z.uuid(),
]);

/** Encodes a listing cursor as opaque base64url text. */
export function encodeListingCursor(cursor: ListingCursor): string {
  return encodeCursor([cursor.sort, cursor.startsAt.toISOString(), cursor.price, cursor.id]);
}

/** Decodes a cursor made by {@link encodeListingCursor}; `null` for anything else. */
export function decodeListingCursor(text: string): ListingCursor | null {
  const parsed = payloadSchema.safeParse(decodeCursor(text));
  if (!parsed.success) return null;
  const [sort, iso, price, id] = parsed.data;
  const startsAt = cursorInstant(iso);
  return startsAt ? { sort, startsAt, price, id } : null;
}

/** A `cursor` query parameter of `GET /api/tickets`; anything but a `nextCursor` answers 400. */
export const listingCursorSchema = cursorSchema(decodeListingCursor, {
  description: 'The nextCursor of the previous page (of the same sort)',
  example:
    'WyJkYXRlIiwiMjAyNy0wNi0yMVQxNzozMDowMC4wMDBaIiw1MDAwLCIzZjFjMmE5ZS04YjdkLTRjNmUtOWYwYS0xYjJjM2Q0ZTVmNjAiXQ',
});
