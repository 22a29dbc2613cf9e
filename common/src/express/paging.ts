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

/** Encodes a keyset position (any JSON value, e.g. the last row's sort keys) as opaque base64url text. */
export function encodeCursor(payload: unknown): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The JSON payload of cursor text made by {@link encodeCursor}; `undefined` for anything else. */
export function decodeCursor(text: string): unknown {
  // Node's base64 decoder skips characters it does not know; reject them instead.
  if (!cursorText.test(text)) return undefined;
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The instant a cursor carries, written by `toISOString()`; `null` for a date that does not read
 * back the same (2025-02-30) or one PostgreSQL cannot hold and no list could have answered (year 0).
 */
export function cursorInstant(iso: string): Date | null {
  const at = new Date(iso);
  const time = at.getTime();
  if (!(time >= earliest && time <= latest) || at.toISOString() !== iso) return null;
  return at;
}

const payloadSchema = z.tuple([z.iso.datetime({ precision: 3 }), z.uuid()]);

/** Encodes a cursor as opaque base64url text. */
export function encodePageCursor(cursor: PageCursor): string {
  return encodeCursor([cursor.createdAt.toISOString(), cursor.id]);
}

/** Decodes a cursor made by {@link encodePageCursor}; `null` for anything else. */
export function decodePageCursor(text: string): PageCursor | null {
  const parsed = payloadSchema.safeParse(decodeCursor(text));
  if (!parsed.success) return null;
  const [iso, id] = parsed.data;
  const createdAt = cursorInstant(iso);
  return createdAt ? { createdAt, id } : null;
}

const invalidCursor = 'Cursor is invalid; pass a nextCursor from a previous page';

/**
 * A `cursor` query parameter decoded by `decode` (which answers `null` for text it did not make).
 * Anything else answers 400 `VALIDATION_FAILED`.
 */
export function cursorSchema<T>(
  decode: (text: string) => T | null,
  meta: { description: string; example: string },
) {
  return z
    .string()
    .max(maxCursorLength, invalidCursor)
    .regex(cursorText, invalidCursor)
    .transform((text, ctx) => {
      const cursor = decode(text);
      if (cursor === null) {
        ctx.addIssue({ code: 'custom', message: invalidCursor });
        return z.NEVER;
      }
      return cursor;
    })
    .meta(meta);
}

/**
 * A `cursor` query parameter: the `nextCursor` of a previous page, parsed to a {@link PageCursor}.
 * Anything else answers 400 `VALIDATION_FAILED`.
 */
export const pageCursorSchema = cursorSchema(decodePageCursor, {
  description: 'The nextCursor of the previous page',
  example: 'WyIyMDI1LTAxLTAxVDAwOjAwOjAwLjAwMFoiLCIwYjdmNmMxZS0yZjRkLTRkOGEtOWMzZS01YTZiN2M4ZDllMGYiXQ',
});

/**
 * One page of a keyset list out of `limit + 1` rows read: the extra row only says that another
 * page follows, and `cursorOf` the last row shown makes its `nextCursor`.
 */
export function keysetPage<R, T>(
  rows: readonly R[],
  limit: number,
  item: (row: R) => T,
  cursorOf: (last: R) => string,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(item),
    nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null,
  };
}

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
