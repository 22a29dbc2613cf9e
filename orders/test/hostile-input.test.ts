import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { useHarness } from '@glotixz/common/testing';
import { startOrdersHarness } from './orders-harness';

const h = useHarness(startOrdersHarness);

const cursorOf = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

describe("a cursor no list could have answered on the buyer's orders", () => {
  it.each([
    ['dated year 0000', cursorOf(['0000-01-01T00:00:00.000Z', randomUUID()])],
    ['dated before 1970', cursorOf(['1969-07-20T20:17:40.000Z', randomUUID()])],
    ['dated on a day the month does not have', cursorOf(['2025-02-30T00:00:00.000Z', randomUUID()])],
  ])('%s → 400 VALIDATION_FAILED at query.cursor', async (_name, cursor) => {
    const res = await request(h.app)
      .get('/api/orders')
      .set('authorization', h.user().authorization)
      .query({ cursor })
      .expect(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ path: 'query.cursor' })],
    });
  });
});
