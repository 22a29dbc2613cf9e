import { z } from 'zod';

/** Where a page of the listing ends: the last ticket's creation time and id. */
export interface ListCursor {
  createdAt: Date;
  id: string;
}

const cursorPayloadSchema = z.tuple([z.iso.datetime(), z.uuid()]);

/** Encodes a cursor as an opaque base64url string. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; `null` for anything else. */
export function decodeCursor(value: string): ListCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = cursorPayloadSchema.safeParse(payload);
  if (!parsed.success) return null;
  const [createdAt, id] = parsed.data;
  return { createdAt: new Date(createdAt), id };
}

/** A `cursor` query parameter: an opaque string from a previous page's `nextCursor`. */
export const cursorSchema = z
  .string()
  .transform((value, ctx) => {
    const cursor = decodeCursor(value);
    if (!cursor) {
      ctx.addIssue({ code: 'custom', message: 'Cursor is invalid; pass a nextCursor from a previous page' });
      return z.NEVER;
    }
    return cursor;
  })
  .meta({
    description: 'The nextCursor of the previous page',
    example: 'WyIyMDI1LTAxLTAxVDAwOjAwOjAwLjAwMFoiLCIuLi4iXQ',
  });
