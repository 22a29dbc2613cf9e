import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { createLogger } from './logger';
import { requestLogging } from './request-logging';

type Line = Record<string, unknown> & { msg?: string; level?: number; req?: Record<string, unknown> };

function appLogging(level: string) {
  const lines: Line[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  const logger = createLogger({ service: 'test', level, destination });
  const app = express();
  app.use(requestLogging(logger, { ignore: (req) => req.url === '/quiet' }));
  app.get('/ok', (req, res) => {
    req.log.debug('handling');
    res.json({ ok: true });
  });
  app.get('/missing', (req, res) => {
    req.log.warn('not here');
    res.status(404).json({ ok: false });
  });
  app.get('/broken', (_req, res) => {
    res.status(500).json({ ok: false });
  });
  app.get('/quiet', (_req, res) => {
    res.status(503).json({ ok: false });
  });
  return { app, lines };
}

describe('requestLogging', () => {
  it('writes an access line with the request, the response and the time taken, at info for a 2xx', async () => {
    const { app, lines } = appLogging('info');
    await request(app)
      .get('/ok?x=1')
      .set('x-request-id', 'req-7')
      .set('authorization', 'Bearer secret')
      .expect(200);

    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        req: expect.objectContaining({ id: 'req-7', method: 'GET', url: '/ok?x=1', query: { x: '1' } }),
        res: expect.objectContaining({ statusCode: 200 }),
        responseTime: expect.any(Number),
      }),
    ]);
    expect((lines[0]?.req?.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it('logs a 4xx at warn and a 5xx as an error, the handler’s lines carrying the request', async () => {
    const { app, lines } = appLogging('info');
    await request(app).get('/missing').expect(404);
    await request(app).get('/broken').expect(500);

    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [40, 'not here'],
      [40, 'request completed'],
      [50, 'request errored'],
    ]);
    expect(lines[0]?.req).toEqual(expect.objectContaining({ method: 'GET', url: '/missing' }));
    expect(lines[2]?.err).toEqual(expect.objectContaining({ message: 'failed with status code 500' }));
  });

  it('writes no line below its level and none for an ignored path', async () => {
    const { app, lines } = appLogging('warn');
    await request(app).get('/ok').expect(200);
    await request(app).get('/quiet').expect(503);
    expect(lines).toEqual([]);
    await request(app).get('/missing').expect(404);
    expect(lines.map((line) => line.msg)).toEqual(['not here', 'request completed']);
  });

  it('answers the request id in x-request-id: the caller’s when sane, else a fresh UUID', async () => {
    const { app } = appLogging('silent');
    const echoed = await request(app).get('/ok').set('x-request-id', 'abc-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const replaced = await request(app).get('/ok').set('x-request-id', 'no spaces allowed').expect(200);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
