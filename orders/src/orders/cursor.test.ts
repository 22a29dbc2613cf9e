import { decodeCursor, encodeCursor } from './cursor';

describe('order list cursor', () => {
  it('round-trips the creation time to the millisecond and the id', () => {
    const cursor = {
      createdAt: new Date('2025-03-04T05:06:07.891Z'),
      id: '3f1c2b8e-9d4a-4c6e-8f0a-1b2c3d4e5f60',
    };
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it.each([
    ['an empty string', ''],
    ['text that is not base64url', 'not a cursor!'],
    ['base64url of non-JSON', Buffer.from('hello').toString('base64url')],
    ['a JSON object', Buffer.from('{"a":1}').toString('base64url')],
    [
      'a bad timestamp',
      Buffer.from('["yesterday","3f1c2b8e-9d4a-4c6e-8f0a-1b2c3d4e5f60"]').toString('base64url'),
    ],
    ['a bad id', Buffer.from('["2025-03-04T05:06:07.891Z","42"]').toString('base64url')],
    [
      'an extra element',
      Buffer.from('["2025-03-04T05:06:07.891Z","3f1c2b8e-9d4a-4c6e-8f0a-1b2c3d4e5f60",1]').toString(
        'base64url',
      ),
    ],
  ])('rejects %s', (_name, text) => {
    expect(decodeCursor(text)).toBeNull();
  });
});
