import { randomUUID } from 'node:crypto';
import { decodePageCursor, encodePageCursor, pageCursorSchema, pageLimitSchema } from './paging';

const payload = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('page cursors', () => {
  it('round-trips the creation time to the millisecond and the id', () => {
    const cursor = { createdAt: new Date('2025-03-04T05:06:07.089Z'), id: randomUUID() };
    const encoded = encodePageCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageCursor(encoded)).toEqual(cursor);
    expect(pageCursorSchema.parse(encoded)).toEqual(cursor);
  });

  it('documents an example that decodes', () => {
    const example = (pageCursorSchema.meta() as { example: string }).example;
    expect(decodePageCursor(example)).not.toBeNull();
  });

  it.each([
    ['an empty string', ''],
    ['characters outside base64url', 'abc+/='],
    ['base64url of plain text', Buffer.from('hello').toString('base64url')],
    ['a JSON object', payload({ t: 1 })],
    ['a tuple with a bad id', payload(['2025-01-01T00:00:00.000Z', 'x'])],
    ['a tuple with a bad date', payload(['soon', randomUUID()])],
    ['an extra element', payload(['2025-03-04T05:06:07.891Z', randomUUID(), 1])],
    ['an overlong string', 'A'.repeat(201)],
    ['a date in year 0000', payload(['0000-01-01T00:00:00.000Z', randomUUID()])],
    ['a date before 1970', payload(['1969-12-31T23:59:59.999Z', randomUUID()])],
    ['a day the month does not have', payload(['2025-02-30T00:00:00.000Z', randomUUID()])],
    ['a date without milliseconds', payload(['2025-03-04T05:06:07Z', randomUUID()])],
    ['a date with an offset', payload(['2025-03-04T05:06:07.000+01:00', randomUUID()])],
  ])('rejects %s', (_name, value) => {
    expect(decodePageCursor(value)).toBeNull();
    expect(pageCursorSchema.safeParse(value).success).toBe(false);
  });
});

describe('page limits', () => {
  const limit = pageLimitSchema({ max: 100, default: 20 });

  it('reads plain digits from 1 to the maximum, and the default when absent', () => {
    expect(limit.parse('1')).toBe(1);
    expect(limit.parse('100')).toBe(100);
    expect(limit.parse('007')).toBe(7);
    expect(limit.parse(undefined)).toBe(20);
  });

  it.each(['0', '101', '999', '1000', '', ' 5', '5 ', '2e1', '0x10', '1.5', '-1', 'ten'])(
    'rejects %j',
    (value) => {
      expect(limit.safeParse(value).success).toBe(false);
    },
  );

  it('rejects a repeated parameter', () => {
    expect(limit.safeParse(['1', '2']).success).toBe(false);
  });
});
