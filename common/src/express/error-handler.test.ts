import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { AppError } from '../errors';
import { createEnvelope, ticketCreatedSubject, type TicketCreatedData } from '../events';
import { errorHandler } from './error-handler';

function appThrowing(error: unknown) {
  const app = express();
  app.get('/', () => {
    throw error;
  });
  app.use(errorHandler(pino({ level: 'silent' })));
  return app;
}

describe('errorHandler', () => {
  it('answers Retry-After for an error whose details say when to try again', async () => {
    const error = new AppError('HOLD_COOLDOWN', 'Wait', { retryAfterSeconds: 42 });
    const res = await request(appThrowing(error)).get('/').expect(409);
    expect(res.headers['retry-after']).toBe('42');
    expect(res.body).toEqual({ code: 'HOLD_COOLDOWN', message: 'Wait', details: { retryAfterSeconds: 42 } });
  });

  it.each([
    ['no details', undefined],
    ['details without retryAfterSeconds', { maxHolds: 5 }],
    ['a retryAfterSeconds that is not a whole number of seconds', { retryAfterSeconds: 'soon' }],
  ])('sends no Retry-After for %s', async (_name, details) => {
    const res = await request(appThrowing(new AppError('HOLD_LIMIT_REACHED', 'Full', details)))
      .get('/')
      .expect(409);
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('answers a bare 500 for an event the service built against its contract, not a 400', async () => {
    const app = express();
    app.get('/', () => {
      // A price that is not an integer: the service's fault, whatever the request said.
      createEnvelope(ticketCreatedSubject, { price: 1.5 } as unknown as TicketCreatedData);
    });
    app.use(errorHandler(pino({ level: 'silent' })));
    const res = await request(app).get('/').expect(500);
    expect(res.body).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
  });
});
