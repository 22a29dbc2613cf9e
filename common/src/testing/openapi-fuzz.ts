import fc from 'fast-check';
import request from 'supertest';

/** The parts of an OpenAPI 3.0 schema the generator reads. */
interface Schema {
  $ref?: string;
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  format?: string;
  pattern?: string;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  nullable?: boolean;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

/** The served document, as far as the generator reads it. */
interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One generated request. */
export interface FuzzRequest {
  operation: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  /** A JSON value to send as JSON, or raw text with its own content type; absent: no body. */
  body?: { json: unknown } | { raw: string };
}

/** Options of {@link fuzzOpenApi}. */
export interface FuzzOptions {
  /** The service's app, built with real dependencies. */
  app: Parameters<typeof request>[0];
  /** Where the service serves its document, e.g. `/api/tickets/docs` (the JSON is at `/openapi.json` below it). */
  docsPath: string;
  /** `Authorization` header values of signed-in users; requests go with one of them, a forged one, or none. */
  authorizations?: string[];
  /**
   * Values the generator mixes in for a parameter or body property of that name, e.g. the ids of
   * tickets and orders that exist, so valid requests get past "not found" into the service.
   */
  knownValues?: Record<string, readonly string[]>;
  /** operationIds to leave out (with the reason in the caller). */
  skip?: string[];
  /** Default 150. */
  runs?: number;
  /** Default 11: runs are reproducible. */
  seed?: number;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/** Inputs that have broken servers: NUL, lone surrogates, non-BMP text, huge or odd numbers, injections. */
const nastyStrings = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff x',
  '𠮷野家 night',
  '\u202e\u0301\ufeff',
  'x'.repeat(10_000),
  "' or '1'='1",
  '%00',
  '%E0%A4%A',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '0000-01-01T00:00:00.000Z',
  '-1',
  '0',
  '1e400',
  '9'.repeat(40),
  'NaN',
  'Infinity',
  'true',
  'null',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'WyIwMDAwLTAxLTAxVDAwOjAwOjAwLjAwMFoiLCIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiXQ',
];

const nastyNumbers = [
  0,
  -0,
  -1,
  1,
  0.5,
  -1e-300,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 53,
  2 ** 63,
  Number.MAX_SAFE_INTEGER + 2,
  1e21,
  1e308,
  -1e308,
  99_999_999,
  100_000_000,
  100_000_001,
];

/** Characters that are valid JSON string content but break storage or text handling. */
const trickyCharacter = fc.constantFrom(
  'a',
  ' ',
  '\u0000',
  '\ud800',
  '\udc00',
  '𠮷',
  '\u0301',
  '\u202e',
  '%',
  "'",
  '\\',
);

const nastyString = fc.oneof(
  fc.constantFrom(...nastyStrings),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

/** Any JSON value, weighted towards the ones that break parsers and databases. */
const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(...nastyNumbers) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constant<unknown>(JSON.parse('{"__proto__":{"admin":true}}')) },
);

function resolve(schema: Schema | undefined, document: OpenApiDocument): Schema {
  let current = schema ?? {};
  for (let hops = 0; current.$ref && hops < 20; hops += 1) {
    const name = current.$ref.replace('#/components/schemas/', '');
    current = document.components?.schemas?.[name] ?? {};
  }
  return current;
}

/** Generates values the schema accepts (as far as a JSON Schema can say what the server accepts). */
function validValue(
  schemaOrRef: Schema | undefined,
  document: OpenApiDocument,
  known: Record<string, readonly string[]>,
  name: string | undefined,
  depth = 0,
): fc.Arbitrary<unknown> {
  const schema = resolve(schemaOrRef, document);
  const base = validBase(schema, document, known, depth);
  const knownHere = name ? known[name] : undefined;
  const withKnown = knownHere?.length
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...knownHere) }, { weight: 1, arbitrary: base })
    : base;
  return schema.nullable ? fc.option(withKnown, { nil: null, freq: 8 }) : withKnown;
}

function validBase(
  schema: Schema,
  document: OpenApiDocument,
  known: Record<string, readonly string[]>,
  depth: number,
): fc.Arbitrary<unknown> {
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices?.length)
    return fc.oneof(...choices.map((s) => validValue(s, document, known, undefined, depth)));
  if (schema.allOf?.length) return validValue(schema.allOf[0], document, known, undefined, depth);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      return validString(schema);
    case 'integer': {
      const min = (schema.minimum ?? -1e9) + (schema.exclusiveMinimum ? 1 : 0);
      const max = (schema.maximum ?? 1e9) - (schema.exclusiveMaximum ? 1 : 0);
      return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(schema.items, document, known, undefined, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'object': {
      if (depth > 4) return fc.constant({});
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [
          key,
          validValue(value, document, known, key, depth + 1),
        ]),
      );
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in properties) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validString(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 60, 300);
  const fits = (s: string) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity);
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress().filter(fits);
    case 'date-time':
      return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
    default:
      break;
  }
  if (schema.pattern) {
    return fc.stringMatching(new RegExp(schema.pattern), { size: 'small' }).filter(fits);
  }
  return fc.oneof(
    fc.string({ minLength, maxLength, unit: 'grapheme' }),
    fc.string({ minLength, maxLength: Math.min(maxLength, 20) }),
    // Within the schema's bounds, yet what text columns, JSON and UTF-16 trip over.
    fc.string({ minLength, maxLength: Math.min(maxLength, 20), unit: trickyCharacter }),
  );
}

/** A value the schema probably refuses, or an edge it allows: wrong types, nasty text, bounds. */
function invalidValue(schemaOrRef: Schema | undefined, document: OpenApiDocument): fc.Arbitrary<unknown> {
  const schema = resolve(schemaOrRef, document);
  const edges: unknown[] = [];
  if (schema.maxLength !== undefined)
    edges.push('x'.repeat(schema.maxLength + 1), '𠮷'.repeat(schema.maxLength));
  if (schema.minLength !== undefined && schema.minLength > 0) edges.push('x'.repeat(schema.minLength - 1));
  if (schema.minimum !== undefined) edges.push(schema.minimum, schema.minimum - 1, schema.minimum - 0.5);
  if (schema.maximum !== undefined) edges.push(schema.maximum, schema.maximum + 1, schema.maximum + 0.5);
  return edges.length > 0
    ? fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...edges) }, { weight: 3, arbitrary: nastyJson })
    : nastyJson;
}

/** A body the schema describes, then perhaps broken: a field dropped, added or replaced. */
function bodyValue(
  schemaOrRef: Schema | undefined,
  document: OpenApiDocument,
  known: Record<string, readonly string[]>,
) {
  const schema = resolve(schemaOrRef, document);
  const valid = validValue(schema, document, known, undefined);
  const keys = Object.keys(schema.properties ?? {});
  const mutated = fc
    .tuple(valid, fc.constantFrom(...(keys.length > 0 ? keys : ['field'])), fc.nat(3))
    .chain(([value, key, how]) => {
      const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
      if (how === 0) {
        delete (object as Record<string, unknown>)[key];
        return fc.constant<unknown>(object);
      }
      if (how === 1) {
        return nastyJson.map((extra) => ({ ...object, [`extra_${key}`]: extra }));
      }
      return invalidValue(schema.properties?.[key], document).map((bad) => ({ ...object, [key]: bad }));
    });
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 4, arbitrary: mutated },
    { weight: 1, arbitrary: nastyJson },
  );
}

/** Query and path values are text: a number goes as its digits, anything else as JSON text. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

type ParameterValue = string | string[] | undefined;

/** A value of the parameter its schema allows (or, for an optional one, none). */
function validParameter(
  parameter: Parameter,
  document: OpenApiDocument,
  known: Record<string, readonly string[]>,
): fc.Arbitrary<ParameterValue> {
  const valid = validValue(parameter.schema, document, known, parameter.name).map(asText);
  return parameter.required || parameter.in === 'path'
    ? valid
    : fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: fc.constant(undefined) });
}

/** A value of the parameter its schema probably refuses: wrong, nasty, repeated or missing. */
function invalidParameter(parameter: Parameter, document: OpenApiDocument): fc.Arbitrary<ParameterValue> {
  const invalid = invalidValue(parameter.schema, document).map(asText);
  const choices: fc.WeightedArbitrary<ParameterValue>[] = [
    { weight: 4, arbitrary: invalid },
    { weight: 1, arbitrary: fc.array(invalid, { minLength: 2, maxLength: 3 }) },
  ];
  if (parameter.in !== 'path') choices.push({ weight: 1, arbitrary: fc.constant(undefined) });
  return fc.oneof(...choices);
}

/** Percent-encodes UTF-8 bytes (a lone surrogate goes as U+FFFD, as any HTTP client would send it). */
const percentEncode = (value: string) =>
  [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');

const encodePathSegment = (value: string) =>
  // A string that already looks percent-encoded goes as it is, so bad escapes reach the router.
  /^[\x21-\x7e]*%[\x21-\x7e]*$/.test(value) &&
  !value.includes('/') &&
  !value.includes('?') &&
  !value.includes('#')
    ? value
    : percentEncode(value);

const oddContentTypes = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/xml',
  'application/merge-patch+json',
];

const rawBodies = [
  '',
  '{',
  '{"a":',
  'null',
  '[]',
  '"text"',
  '1e400',
  '{"__proto__":{"x":1}}',
  'a=1&b=2',
  '\u0000',
];

type SentBody = { json: unknown } | { raw: string; contentType: string } | undefined;

function requestFor(
  path: string,
  method: string,
  operation: Operation,
  document: OpenApiDocument,
  options: FuzzOptions,
): fc.Arbitrary<FuzzRequest> {
  const known = options.knownValues ?? {};
  const parameters = (operation.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query');
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
  const validBody: fc.Arbitrary<SentBody> = bodySchema
    ? validValue(bodySchema, document, known, undefined).map((json) => ({ json }))
    : fc.constant(undefined);
  const invalidBodies: fc.WeightedArbitrary<SentBody>[] = [
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...oddContentTypes, 'application/json'), fc.constantFrom(...rawBodies))
        .map(([contentType, raw]) => ({ raw, contentType })),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ];
  if (bodySchema) {
    invalidBodies.push({
      weight: 6,
      arbitrary: bodyValue(bodySchema, document, known).map((json) => ({ json })),
    });
  }
  const invalidBody = fc.oneof(...invalidBodies);
  const validParts = fc.tuple(
    fc.tuple(...parameters.map((p) => validParameter(p, document, known))),
    validBody,
  );
  // Half the requests are valid throughout; the others break one part (a parameter or the body).
  const parts = fc.oneof(
    validParts,
    fc
      .tuple(validParts, fc.nat(parameters.length))
      .chain(([[values, body], broken]) =>
        broken < parameters.length
          ? invalidParameter(parameters[broken] as Parameter, document).map(
              (bad) => [values.map((v, i) => (i === broken ? bad : v)), body] as [ParameterValue[], SentBody],
            )
          : invalidBody.map((bad) => [values, bad] as [ParameterValue[], SentBody]),
      ),
  );
  const extraQuery = fc.option(
    fc.tuple(fc.constantFrom('extra', 'limit[x]', 'q[]', '__proto__'), nastyString),
    {
      freq: 6,
    },
  );
  const users = options.authorizations ?? [];
  const authorizations: fc.WeightedArbitrary<string | undefined>[] = [
    { weight: 2, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'Bearer not-a-token',
        'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
        'Basic YTpi',
      ),
    },
  ];
  if (users.length > 0) authorizations.push({ weight: 6, arbitrary: fc.constantFrom(...users) });
  const authorization = fc.oneof(...authorizations);

  return fc.tuple(parts, extraQuery, authorization).map(([[values, sentBody], extra, auth]) => {
    let url = path;
    const query = new URLSearchParams();
    parameters.forEach((parameter, index) => {
      const value = values[index];
      if (parameter.in === 'path') {
        const text = Array.isArray(value) ? value.join(',') : (value ?? '');
        url = url.replace(`{${parameter.name}}`, encodePathSegment(text || 'x'));
      } else if (Array.isArray(value)) {
        for (const item of value) query.append(parameter.name, item);
      } else if (value !== undefined) {
        query.append(parameter.name, value);
      }
    });
    if (extra) query.append(extra[0], extra[1]);
    const search = query.toString();
    const headers: Record<string, string> = {};
    if (auth) headers.authorization = auth;
    let body: FuzzRequest['body'];
    if (sentBody && 'json' in sentBody) body = { json: sentBody.json };
    else if (sentBody) {
      body = { raw: sentBody.raw };
      headers['content-type'] = sentBody.contentType;
    }
    return {
      operation: operation.operationId ?? `${method} ${path}`,
      method,
      url: search ? `${url}?${search}` : url,
      headers,
      body,
    };
  });
}

/** Sends a generated request; answers the status and body text. */
export async function sendFuzzRequest(
  app: FuzzOptions['app'],
  fuzz: FuzzRequest,
): Promise<{ status: number; text: string }> {
  const agent = request(app);
  let test = agent[fuzz.method as 'get'](fuzz.url).timeout(15_000);
  for (const [name, value] of Object.entries(fuzz.headers)) test = test.set(name, value);
  // Serialized here: supertest sends only objects as JSON, and a bare 12 or "x" is a body to try too.
  if (fuzz.body && 'json' in fuzz.body) {
    test = test.set('content-type', 'application/json').send(JSON.stringify(fuzz.body.json) ?? 'null');
  } else if (fuzz.body) test = test.send(fuzz.body.raw);
  const res = await test.ok(() => true);
  return { status: res.status, text: res.text };
}

/**
 * Property test of a service's whole API: from its own served OpenAPI document, generates
 * requests to every operation (valid ones, and ones broken by type, size, encoding, missing and
 * extra fields, odd content types), signed in or not, and fails with the smallest request it
 * finds that answers 5xx. Seeded and bounded, so a run is reproducible.
 */
export async function fuzzOpenApi(options: FuzzOptions): Promise<{ runs: number; operations: string[] }> {
  const served = await request(options.app).get(`${options.docsPath}/openapi.json`);
  if (served.status !== 200) throw new Error(`${options.docsPath}/openapi.json answered ${served.status}`);
  const document = served.body as OpenApiDocument;
  const skip = new Set(options.skip ?? []);
  const operations: fc.Arbitrary<FuzzRequest>[] = [];
  const names: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      const name = operation.operationId ?? `${method} ${path}`;
      if (skip.has(name)) continue;
      names.push(name);
      operations.push(requestFor(path, method, operation, document, options));
    }
  }
  if (operations.length === 0) return { runs: 0, operations: names };
  // FUZZ_RUNS and FUZZ_SEED override a test's own figures, to search longer or replay a failure.
  const runs = Number(process.env.FUZZ_RUNS ?? options.runs ?? 150);
  const details = await fc.check(
    fc.asyncProperty(fc.oneof(...operations), async (fuzz) => {
      const { status, text } = await sendFuzzRequest(options.app, fuzz);
      if (status >= 500) {
        throw new Error(`${fuzz.method.toUpperCase()} ${fuzz.url} answered ${status}: ${text.slice(0, 300)}`);
      }
    }),
    { numRuns: runs, seed: Number(process.env.FUZZ_SEED ?? options.seed ?? 11) },
  );
  if (details.failed) {
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      `${cause}\nThe smallest such request: ${JSON.stringify(details.counterexample?.[0])}\n` +
        `Replay: seed ${details.seed}, path "${details.counterexamplePath ?? ''}" (after ${details.numRuns} runs)`,
    );
  }
  return { runs, operations: names };
}
