import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { sql } from 'drizzle-orm';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import request from 'supertest';
import { z } from 'zod';
import { createEnvelope, ticketCreatedSubject, ticketUpdatedSubject } from '../src/events';
import { consumerTable, enqueue, startMessaging } from '../src/bus';
import type { Messaging } from '../src/bus';
import { createLogger, createServiceApp, defineRoute, traceResponseHeader } from '../src/express';
import { readSubject, testNatsUrl } from '../src/testing/nats';
import { startTracing, type Tracing } from '../src/tracing';
import { createHarness, silentLogger, ticketData, waitFor } from './support/harness';
import type { Harness } from './support/harness';

const execFileAsync = promisify(execFile);
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpanId = '00f067aa0ba902b7';
const traceparent = `00-${traceId}-${callerSpanId}-01`;

function traceIdOf(header: string | undefined): string | undefined {
  return header?.split('-')[1];
}

describe('OTLP export', () => {
  it('posts spans as OTLP JSON to <endpoint>/v1/traces when an endpoint is set', async () => {
    const received: { path?: string; type?: string; body: string }[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          path: req.url,
          type: req.headers['content-type'],
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const { port } = receiver.address() as AddressInfo;
    try {
      const { stdout: spanTraceId } = await execFileAsync(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(__dirname, 'fixtures', 'export-span.ts'),
          `http://127.0.0.1:${port}`,
          'exported work',
        ],
        { cwd: __dirname, timeout: 20_000 },
      );

      expect(spanTraceId).toMatch(/^[0-9a-f]{32}$/);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ path: '/v1/traces', type: 'application/json' });
      const body = received[0]?.body;
      expect(JSON.parse(body ?? '')).toHaveProperty('resourceSpans');
      expect(body).toContain('"key":"service.name","value":{"stringValue":"export-test"}');
      expect(body).toContain('"name":"exported work"');
      expect(body).toContain(`"traceId":"${spanTraceId}"`);
    } finally {
      receiver.close();
    }
  });
});

describe('tracing across HTTP and the bus', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let h: Harness;
  const running: Messaging[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'tracing-test',
    level: 'info',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });

  const routes = [
    defineRoute({
      method: 'post',
      path: '/api/widgets/:id',
      summary: 'Lists a ticket for the widget',
      params: z.object({ id: z.string() }),
      body: z.object({ title: z.string() }),
      responses: { 201: { description: 'listed' } },
      handler: async (req, res) => {
        req.log.info({ widget: req.params.id }, 'listing a widget');
        const envelope = await h.db.transaction((tx) =>
          enqueue(tx, ticketCreatedSubject, ticketData({ title: req.body.title })),
        );
        res.status(201).json({ eventId: envelope.id });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/broken',
      summary: 'Fails',
      responses: { 200: { description: 'never' } },
      handler: () => {
        throw new Error('broken on purpose');
      },
    }),
  ];

  function spans(): ReadableSpan[] {
    return exporter.getFinishedSpans();
  }

  function app() {
    return createServiceApp({
      service: 'tracing-test',
      logger,
      routes,
      docsPath: '/api/widgets/docs',
      docsTitle: 'Widgets',
      readiness: {},
    }).app;
  }

  beforeAll(async () => {
    tracing = startTracing({
      service: 'tracing-test',
      logger: silentLogger,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    h = await createHarness();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((messaging) => messaging.stop()));
    await h.pool.query('delete from outbox');
    for (const stream of ['TICKETS', 'DEADLETTER'] as const)
      await h.bus.jsm.streams.purge(h.bus.streamName(stream));
    exporter.reset();
    lines.length = 0;
  });

  afterAll(async () => {
    await h.close();
    await tracing.shutdown();
  });

  it('continues an incoming traceparent in a server span named by the route and answers traceresponse', async () => {
    const res = await request(app())
      .post('/api/widgets/w1')
      .set('traceparent', traceparent)
      .send({ title: 'traced' })
      .expect(201);

    const header: string | undefined = res.headers[traceResponseHeader];
    expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(traceIdOf(header)).toBe(traceId);
    await waitFor(() => spans().some((s) => s.kind === SpanKind.SERVER), 2_000, 'the server span');
    const server = spans().find((s) => s.kind === SpanKind.SERVER);
    expect(server).toMatchObject({
      name: 'POST /api/widgets/:id',
      parentSpanContext: { spanId: callerSpanId },
    });
    expect(server?.spanContext()).toMatchObject({ traceId, spanId: header?.split('-')[2] });
    expect(server?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/api/widgets/:id',
      'http.response.status_code': 201,
    });
    expect(server?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('starts a new trace without traceparent, marks a 5xx as an error and leaves probes untraced', async () => {
    const res = await request(app()).get('/api/broken').expect(500);
    await request(app()).get('/healthz').expect(200);
    expect(res.headers[traceResponseHeader]).toBeDefined();
    await waitFor(() => spans().length > 0, 2_000, 'the server span');
    expect(spans()).toHaveLength(1);
    const [server] = spans();
    expect(server?.name).toBe('GET /api/broken');
    expect(server?.parentSpanContext).toBeUndefined();
    expect(server?.spanContext().traceId).toBe(traceIdOf(res.headers[traceResponseHeader] as string));
    expect(server?.status.code).toBe(SpanStatusCode.ERROR);
    expect(server?.events.map((e) => e.name)).toContain('exception');
  });

  it('writes trace_id and span_id on every log line of a request, the handler’s and the access log', async () => {
    await request(app())
      .post('/api/widgets/w2')
      .set('traceparent', traceparent)
      .send({ title: 'x' })
      .expect(201);
    const handlerLine = lines.find((line) => line.msg === 'listing a widget');
    const accessLine = lines.find((line) => line.msg === 'request completed');
    expect(handlerLine).toMatchObject({
      trace_id: traceId,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(accessLine).toMatchObject({ trace_id: traceId });
    expect(handlerLine?.req).toBeDefined();
    logger.info('outside any request');
    expect(lines.at(-1)).not.toHaveProperty('trace_id');
  });

  it('carries a request’s trace through the outbox, JetStream and a consumer into the next event', async () => {
    const seen: { subject: string; traceId?: string }[] = [];
    const messaging = await startMessaging({
      service: 'tracing-test',
      natsUrl: testNatsUrl(),
      prefix: h.bus.prefix,
      logger: silentLogger,
      outbox: { pool: h.pool, pollIntervalMs: 100 },
      consumers: [
        {
          ...consumerTable({ service: 'tracing', db: h.db })({
            subject: ticketCreatedSubject,
            order: 'none',
            handle: async (tx, data) => {
              seen.push({
                subject: ticketCreatedSubject,
                traceId: trace.getActiveSpan()?.spanContext().traceId,
              });
              await enqueue(tx, ticketUpdatedSubject, { ...data, version: 1 });
            },
          }),
          durable: 'tracing-created',
        },
        {
          subject: ticketUpdatedSubject,
          durable: 'tracing-updated',
          handler: (envelope) => {
            seen.push({ subject: envelope.subject, traceId: trace.getActiveSpan()?.spanContext().traceId });
            return Promise.resolve();
          },
        },
      ],
    });
    running.push(messaging);

    await request(app())
      .post('/api/widgets/w3')
      .set('traceparent', traceparent)
      .send({ title: 'chain' })
      .expect(201);
    await waitFor(() => seen.length === 2, 10_000, 'both consumers');
    expect(seen).toEqual([
      { subject: ticketCreatedSubject, traceId },
      { subject: ticketUpdatedSubject, traceId },
    ]);

    const [updated] = await readSubject(h.bus, ticketUpdatedSubject);
    expect(traceIdOf(updated?.headers.traceparent)).toBe(traceId);

    await waitFor(
      () => spans().filter((s) => s.kind === SpanKind.CONSUMER).length === 2,
      2_000,
      'consumer spans',
    );
    const byName = (name: string) => spans().find((s) => s.name === name);
    const consumer = byName('ticket.created process');
    const producer = byName('ticket.created publish');
    expect(spans().every((s) => s.spanContext().traceId === traceId)).toBe(true);
    expect(producer?.kind).toBe(SpanKind.PRODUCER);
    expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
    expect(consumer?.attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.destination.name': ticketCreatedSubject,
      'messaging.consumer.group.name': 'tracing-created',
      'messaging.nats.message.delivery_count': 1,
      'glotixz.message.outcome': 'acked',
    });
    expect(byName('ticket.updated process')?.parentSpanContext?.spanId).toBe(
      byName('ticket.updated publish')?.spanContext().spanId,
    );
    expect(byName('ticket.updated publish')?.parentSpanContext?.spanId).toBe(consumer?.spanContext().spanId);
  });

  it('keeps each message of a batch in a trace of its own, with its own CONSUMER span', async () => {
    const traceIds = ['1', '2', '3'].map((digit) => digit.repeat(32));
    const envelopes = traceIds.map(() => createEnvelope(ticketCreatedSubject, ticketData()));
    for (const [index, envelope] of envelopes.entries()) {
      await h.bus.publish(envelope, {
        headers: { traceparent: `00-${traceIds[index]}-00f067aa0ba902b7-01` },
      });
    }
    const seen: { eventId: string; traceId?: string; txid: string }[] = [];
    const messaging = await startMessaging({
      service: 'tracing-test',
      natsUrl: testNatsUrl(),
      prefix: h.bus.prefix,
      logger: silentLogger,
      outbox: { pool: h.pool, pollIntervalMs: 100 },
      consumers: [
        consumerTable({ service: 'tracing-batch', db: h.db })({
          subject: ticketCreatedSubject,
          order: 'none',
          handle: async (tx, data, context) => {
            const { rows } = await tx.execute(sql`select txid_current()::text as txid`);
            seen.push({
              eventId: context.eventId,
              traceId: trace.getActiveSpan()?.spanContext().traceId,
              txid: (rows[0] as { txid: string }).txid,
            });
            await enqueue(tx, ticketUpdatedSubject, { ...data, version: 1 });
          },
        }),
      ],
    });
    running.push(messaging);

    const updated = await waitFor(
      async () => {
        const stored = await readSubject(h.bus, ticketUpdatedSubject);
        return stored.length === 3 ? stored : undefined;
      },
      10_000,
      'three ticket.updated',
    );
    expect(seen.map((s) => s.eventId)).toEqual(envelopes.map((e) => e.id));
    expect(seen.map((s) => s.traceId)).toEqual(traceIds);
    expect(new Set(seen.map((s) => s.txid)).size).toBe(1);
    expect(updated.map((m) => traceIdOf(m.headers.traceparent))).toEqual(traceIds);
    const consumers = spans().filter(
      (s) => s.kind === SpanKind.CONSUMER && s.name === 'ticket.created process',
    );
    expect(consumers.map((s) => s.spanContext().traceId).sort()).toEqual(traceIds);
    expect(consumers.every((s) => s.attributes['glotixz.message.outcome'] === 'acked')).toBe(true);
  });

  it('keeps the trace headers on a dead letter and marks the failed delivery an error', async () => {
    const durable = 'tracing-dead';
    const messaging = await startMessaging({
      service: 'tracing-test',
      natsUrl: testNatsUrl(),
      prefix: h.bus.prefix,
      logger: silentLogger,
      consumers: [
        {
          subject: ticketCreatedSubject,
          durable,
          maxDeliver: 1,
          handler: () => Promise.reject(new Error('always fails')),
        },
      ],
    });
    running.push(messaging);
    await h.bus.publish(createEnvelope(ticketCreatedSubject, ticketData()), { headers: { traceparent } });

    await waitFor(
      async () => (await readSubject(h.bus, `deadletter.${durable}`)).length === 1,
      5_000,
      'the dead letter',
    );
    const [letter] = await readSubject(h.bus, `deadletter.${durable}`);
    expect(traceIdOf(letter?.headers.traceparent)).toBe(traceId);
    await waitFor(() => spans().some((s) => s.kind === SpanKind.CONSUMER), 2_000, 'the consumer span');
    const consumer = spans().find((s) => s.kind === SpanKind.CONSUMER);
    expect(consumer?.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'always fails' });
    expect(consumer?.attributes['glotixz.message.outcome']).toBe('dead_lettered');
  });
});
