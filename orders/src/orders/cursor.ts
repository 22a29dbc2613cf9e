import { z } from 'zod';

/** Where a page of "my orders, newest first" ends: the last row's creation time and id. */
export interface OrderCursor {
  createdAt: Date;
  id: string;
}

const base64url = /^[A-Za-z0-9_-]+$/;
const cursorPayload = z.tuple([z.iso.datetime(), z.uuid()]);

/** Encodes a cursor as opaque base64url text. */
export function encodeCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; `null` for anything else. */
export function decodeCursor(text: string): OrderCursor | null {
  // Node's base64 decoder skips characters it does not know; reject them instead.
  if (!base64url.test(text)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = cursorPayload.safeParse(raw);
  if (!parsed.success) return null;
  const [createdAt, id] = parsed.data;
  return { createdAt: new Date(createdAt), id };
}
