import { randomUUID } from 'node:crypto';
import { cursorSchema, decodeCursor, encodeCursor } from './cursor';

describe('list cursors', () => {
  it('round-trips the creation time to the millisecond and the id', () => {
    const cursor = { createdAt: new Date('2025-03-04T05:06:07.089Z'), id: randomUUID() };
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(cursor);
    expect(cursorSchema.parse(encoded)).toEqual(cursor);
  });

  it.each([
    ['an empty string', ''],
    ['characters outside base64url', 'abc+/='],
    ['base64url of plain text', Buffer.from('hello').toString('base64url')],
    ['a JSON object', Buffer.from(JSON.stringify({ t: 1 })).toString('base64url')],
    [
      'a tuple with a bad id',
      Buffer.from(JSON.stringify(['2025-01-01T00:00:00.000Z', 'x'])).toString('base64url'),
    ],
    ['a tuple with a bad date', Buffer.from(JSON.stringify(['soon', randomUUID()])).toString('base64url')],
    ['an overlong string', 'A'.repeat(201)],
  ])('rejects %s', (_name, value) => {
    expect(decodeCursor(value)).toBeNull();
    expect(cursorSchema.safeParse(value).success).toBe(false);
  });
});
