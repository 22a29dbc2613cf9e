import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@glotixz/common/testing';
import { signUp } from './support/api';
import { startSystem, type ExtraName, type ServiceName, type System } from './support/system';

/** A span as an OTLP/HTTP JSON export carries it, with the service that sent it. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  name: string;
}

interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: { traceId: string; name: string }[] }[];
  }[];
}

/** A stand-in for an OpenTelemetry collector: keeps every span posted to /v1/traces. */
async function startReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as OtlpExport;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service =
            resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ??
            '';
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? [])
              spans.push({ service, traceId: span.traceId, name: span.name });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, server };
}

/** A JSON call through the gateway that also answers the trace id of `traceresponse`. */
async function call(
  baseUrl: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: { id?: string; status?: string }; traceId?: string }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : {}) as { id?: string; status?: string },
    traceId: res.headers.get('traceresponse')?.split('-')[1],
  };
}

/**
 * One purchase through the gateway, every process exporting to one OTLP receiver: the order's
 * request is one trace through the gateway, orders and every consumer of `order.created`, and the
 * payment's trace goes on through Stripe's webhook to the order's completion.
 */
describe('tracing across the system', () => {
  let system: System;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
    const names: (ServiceName | ExtraName)[] = [
      'auth',
      'tickets',
      'orders',
      'payments',
      'expiration',
      'gateway',
    ];
    system = await startSystem({
      services: ['auth', 'tickets', 'orders', 'payments', 'expiration'],
      gateway: true,
      env: Object.fromEntries(names.map((name) => [name, otel])),
    });
  });
  afterAll(async () => {
    await system?.stop();
    receiver?.server.close();
  });

  function servicesIn(traceId: string): Set<string> {
    return new Set(receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.service));
  }

  it('follows a purchase from the gateway through every service in one trace per request', async () => {
    const gateway = system.gateway?.url ?? '';
    const seller = await signUp(gateway, 'seller');
    const buyer = await signUp(gateway, 'buyer');
    const event = await call(gateway, 'POST', '/api/events', seller.token, {
      name: 'Traced concert',
      venue: 'Trace Hall',
      city: 'London',
      country: 'GB',
      startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      timezone: 'Europe/London',
      category: 'concert',
    });
    expect(event.status).toBe(201);
    const ticket = await call(gateway, 'POST', '/api/tickets', seller.token, {
      eventId: event.body.id,
      price: 3100,
      currency: 'usd',
    });
    expect(ticket.status).toBe(201);

    const order = await waitFor(
      async () => {
        const res = await call(gateway, 'POST', '/api/orders', buyer.token, { ticketId: ticket.body.id });
        return res.status === 404 ? undefined : res;
      },
      10_000,
      'the orders replica to know the ticket',
    );
    expect(order.status).toBe(201);
    const orderTrace = order.traceId ?? '';
    expect(orderTrace).toMatch(/^[0-9a-f]{32}$/);

    const everyService = ['gateway', 'orders', 'tickets', 'expiration', 'payments'];
    await waitFor(
      () => everyService.every((service) => servicesIn(orderTrace).has(service)),
      15_000,
      `spans of ${everyService.join(', ')} in the order's trace`,
    );
    const orderSpans = receiver.spans
      .filter((s) => s.traceId === orderTrace)
      .map((s) => `${s.service}: ${s.name}`);
    expect(orderSpans).toEqual(
      expect.arrayContaining([
        'gateway: POST /api/orders',
        'orders: POST /api/orders',
        'tickets: order.created process',
        'expiration: order.created process',
        'payments: order.created process',
      ]),
    );

    const payment = await call(gateway, 'POST', '/api/payments', buyer.token, {
      orderId: order.body.id,
      paymentMethodId: 'pm_card_visa',
    });
    expect(payment.status).toBe(201);
    const paymentTrace = payment.traceId ?? '';
    await waitFor(
      () =>
        receiver.spans.some(
          (s) =>
            s.traceId === paymentTrace && s.service === 'orders' && s.name === 'payment.succeeded process',
        ),
      15_000,
      'the order completed in the payment’s trace',
    );
    expect(
      receiver.spans.some(
        (s) =>
          s.traceId === paymentTrace &&
          s.service === 'payments' &&
          s.name === 'stripe payment_intent.succeeded',
      ),
    ).toBe(true);
  });
});
