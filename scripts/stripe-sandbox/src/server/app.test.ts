import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { IdempotencyStore } from '../idempotency/idempotency';
import { EventLog } from '../webhooks/event-log';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import { route } from './api-route';
import { createSandboxApp } from './app';

let server: Server;
let base: string;
let calls = 0;

beforeAll(async () => {
  const logger = pino({ level: 'silent' });
  const endpoint = { get: () => undefined, set: () => undefined };
  const app = createSandboxApp({
    secretKey: undefined,
    routes: [
      route('post', '/explode', () => {
        calls += 1;
        throw new Error('boom');
      }),
    ],
    idempotency: new IdempotencyStore(),
    events: new EventLog(() => 0),
    dispatcher: new WebhookDispatcher({
      secret: 'whsec_x',
      retry: { attempts: 1, baseDelayMs: 0 },
      endpoint: endpoint.get,
      logger,
    }),
    endpoint,
    logger,
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const post = (path: string, headers: Record<string, string> = {}, body = 'a=1') =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer sk_test_unit',
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body,
  });

describe('the sandbox app', () => {
  it('answers an unexpected fault with a 500 api_error without internals, saved against the key', async () => {
    const first = await post('/v1/explode', { 'idempotency-key': 'boom-1' });
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({
      error: { type: 'api_error', message: 'An unknown error occurred' },
    });

    const again = await post('/v1/explode', { 'idempotency-key': 'boom-1' });
    expect(again.status).toBe(500);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(calls).toBe(1);
  });

  it('answers a body it cannot read with a 4xx invalid_request_error, never a 500', async () => {
    const response = await post('/v1/explode', {
      'content-type': 'application/x-www-form-urlencoded; charset=klingon',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(calls).toBe(1);
  });

  it('sets Request-Id on every answer and Stripe-Version on API answers', async () => {
    const response = await post('/v1/explode', { 'stripe-version': '2024-06-20' });
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(response.headers.get('stripe-version')).toBe('2024-06-20');
    expect((await fetch(`${base}/healthz`)).headers.get('request-id')).toMatch(/^req_/);
  });
});
