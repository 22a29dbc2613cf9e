import pino from 'pino';
import { z } from 'zod';
import { createCookieKeys, createTestKeys } from '../testing/auth';
import { lintOpenApi } from '../testing/openapi-lint';
import { defaultOperationId, defineRoute, type AnyRoute } from './route';
import { createServiceApp } from './service-app';

const keys = createTestKeys();
const ok = { 200: { description: 'ok' } };
const handler = () => undefined;

const build = (routes: AnyRoute[]) =>
  createServiceApp({
    service: 'things',
    logger: pino({ level: 'silent' }),
    auth: keys.verify,
    session: { keys: createCookieKeys(), secure: false, maxAgeMs: 60_000 },
    routes,
    docsPath: '/api/things/docs',
    docsTitle: 'Things',
    readiness: {},
  });

interface Doc {
  paths: Record<string, Record<string, { operationId?: string; security?: unknown }>>;
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
}

describe('the generated OpenAPI document', () => {
  const routes = [
    defineRoute({
      method: 'get',
      path: '/api/things',
      summary: 'List',
      query: z.object({ q: z.string().max(50).optional() }),
      responses: ok,
      handler,
    }),
    defineRoute({
      method: 'get',
      path: '/api/things/:id',
      summary: 'One',
      operationId: 'getThing',
      params: z.object({ id: z.uuid() }),
      responses: ok,
      handler,
    }),
    defineRoute({
      method: 'post',
      path: '/api/things/:thingId/parts',
      summary: 'Add a part',
      auth: 'required',
      params: z.object({ thingId: z.uuid() }),
      body: z.object({ name: z.string().max(20) }),
      responses: { 201: { description: 'created' } },
      handler,
    }),
  ];
  const doc = build(routes).openapi as Doc;

  it('names every operation: its own operationId, or one made of the method and the path', () => {
    expect(doc.paths['/api/things']?.get?.operationId).toBe('getThings');
    expect(doc.paths['/api/things/{id}']?.get?.operationId).toBe('getThing');
    expect(doc.paths['/api/things/{thingId}/parts']?.post?.operationId).toBe('postThingsByThingIdParts');
    expect(defaultOperationId('delete', '/api/orders/:id')).toBe('deleteOrdersById');
  });

  it('says security: [] on public operations and the cookie or bearer scheme on the others', () => {
    expect(doc.paths['/api/things']?.get?.security).toEqual([]);
    expect(doc.paths['/api/things/{thingId}/parts']?.post?.security).toEqual([
      { cookieAuth: [] },
      { bearerAuth: [] },
    ]);
    expect(Object.keys(doc.components.securitySchemes ?? {})).toEqual(['cookieAuth', 'bearerAuth']);
  });

  it('registers no security scheme when no route requires one', () => {
    const publicOnly = build([routes[0] as AnyRoute]).openapi as Doc;
    expect(publicOnly.components.securitySchemes).toBeUndefined();
  });

  it('types the error body, details included', () => {
    expect(doc.components.schemas.Error).toMatchObject({
      properties: {
        code: { type: 'string', enum: expect.arrayContaining(['VALIDATION_FAILED', 'INTERNAL']) },
        details: { anyOf: [{ type: 'array' }, { type: 'object' }] },
      },
    });
  });

  it('refuses two routes with one operationId', () => {
    const twin = { ...routes[1], path: '/api/other/:id' } as AnyRoute;
    expect(() => build([routes[1] as AnyRoute, twin])).toThrow('getThing');
  });

  it("passes Redocly's recommended rules with no problem at all", async () => {
    expect(await lintOpenApi(doc)).toEqual({ errors: [], warnings: [] });
  });
});
