import { z } from 'zod';

/**
 * Where a page of a keyset-paginated list ends: the last row's creation time and id. Every list
 * of every service ("newest first, then id") pages with this one cursor.
 */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

/** The longest cursor text accepted; {@link encodePageCursor} makes 84 characters. */
export const maxCursorLength = 200;

const cursorText = new RegExp(`^[A-Za-z0-9_-]{1,${maxCursorLength}}$`);
// Rows are stamped by the database clock; anything before the epoch or past year 9999 was never produced.
const earliest = Date.UTC(1970, 0, 1);
const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const payloadSchema = z.tuple([z.iso.datetime({ precision: 3 }), z.uuid()]);

/** Encodes a cursor as opaque base64url text. */
export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodePageCursor}; `null` for anything else, including a
 * well-formed one no list could have answered (a date PostgreSQL cannot hold, such as year 0).
 */
export function decodePageCursor(text: string): PageCursor | null {
  // Node's base64 decoder skips characters it does not know; reject them instead.
  if (!cursorText.test(text)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) return null;
  const [iso, id] = parsed.data;
  const createdAt = new Date(iso);
  const time = createdAt.getTime();
  // The encoder writes toISOString(); a date that does not read back the same (2025-02-30) was never written.
  if (!(time >= earliest && time <= latest) || createdAt.toISOString() !== iso) return null;
  return { createdAt, id };
}

const invalidCursor = 'Cursor is invalid; pass a nextCursor from a previous page';

/**
 * A `cursor` query parameter: the `nextCursor` of a previous page, parsed to a {@link PageCursor}.
 * Anything else answers 400 `VALIDATION_FAILED`.
 */
export const pageCursorSchema = z
  .string()
  .max(maxCursorLength, invalidCursor)
  .regex(cursorText, invalidCursor)
  .transform((text, ctx) => {
    const cursor = decodePageCursor(text);
    if (!cursor) {
      ctx.addIssue({ code: 'custom', message: invalidCursor });
      return z.NEVER;
    }
    return cursor;
  })
  .meta({
    description: 'The nextCursor of the previous page',
    example: 'WyIyMDI1LTAxLTAxVDAwOjAwOjAwLjAwMFoiLCIwYjdmNmMxZS0yZjRkLTRkOGEtOWMzZS01YTZiN2M4ZDllMGYiXQ',
  });

/** Options of {@link pageLimitSchema}. */
export interface PageLimitOptions {
  /** Largest page. Default 100. */
  max?: number;
  /** Page size when the query has none. Default 20. */
  default?: number;
}

/**
 * A `limit` query parameter: a page size written in plain digits (`20`, not `2e1` or ` 20`),
 * from 1 to `max`. Documented as the integer it is, with its bounds and default.
 */
export function pageLimitSchema(options: PageLimitOptions = {}) {
  const max = options.max ?? 100;
  const fallback = options.default ?? 20;
  const message = `Limit must be a whole number from 1 to ${max}`;
  const digits = new RegExp(`^[0-9]{1,${String(max).length}}$`);
  return z
    .preprocess(
      (value) => (typeof value === 'string' && digits.test(value) ? Number(value) : value),
      z.number({ error: message }).int(message).min(1, message).max(max, message),
    )
    .default(fallback)
    .meta({ description: `Page size, 1–${max} (default ${fallback})`, example: fallback });
}

/**
 * A page of `item` as a list route answers it: the items and the cursor of the next page. `id`
 * names the schema in the OpenAPI document (`TicketPage`).
 */
export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .meta({ description: 'Pass as `cursor` for the next page; null at the end' }),
    })
    .meta({ id });
}
