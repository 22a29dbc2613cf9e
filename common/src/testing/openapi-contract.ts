import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { committedOpenApiDrift } from './openapi-document';
import { fuzzOpenApi, type FuzzOptions } from './openapi-fuzz';
import { lintOpenApi, servedOpenApiProblems } from './openapi-lint';

/** What a service's OpenAPI contract test runs against, made once before its tests. */
export interface OpenApiSubject {
  app: Express;
  /** Tokens and values the fuzzer sends; see {@link FuzzOptions}. */
  fuzz?: Pick<FuzzOptions, 'authorizations' | 'knownValues' | 'runs'>;
  close(this: void): Promise<void>;
}

/** Options of {@link describeOpenApiContract}. */
export interface OpenApiContractOptions {
  /** The workspace, e.g. `orders`: names `@glotixz/<service>` in the rewrite command. */
  service: string;
  /** Where the service serves its docs, e.g. `/api/orders/docs`. */
  docsPath: string;
  /** Starts the service with the rows its operations need to reach past their 404s. */
  start(this: void): Promise<OpenApiSubject>;
  /**
   * The operations the fuzzer must have reached: at least this many, or exactly these. Exactly
   * none means the service serves no operation besides health, readiness and metrics.
   */
  operations: { atLeast: number } | { exactly: string[] };
  /** No linter warning at all, not only none about a missing `operationId`. Default false. */
  noWarnings?: boolean;
  /**
   * The workspace folder holding the committed `openapi.json` the web client generates its types
   * from; omitted for a service whose document no client reads.
   */
  committedIn?: string;
  /** Milliseconds the fuzzing test may take. Default 60 000. */
  fuzzTimeoutMs?: number;
}

/**
 * The tests every service runs on its OpenAPI document: it passes Redocly's recommended rules,
 * no request generated from it is answered 5xx, and (with `committedIn`) the committed copy is
 * the document served. Call it at the top level of a test file.
 */
export function describeOpenApiContract(options: OpenApiContractOptions): void {
  const { docsPath } = options;
  let subject: OpenApiSubject;
  beforeAll(async () => {
    subject = await options.start();
  });
  afterAll(async () => {
    await subject.close();
  });

  describe('the served OpenAPI document', () => {
    if (options.noWarnings) {
      it("passes Redocly's recommended rules with no errors and no warnings", async () => {
        const served = await request(subject.app).get(`${docsPath}/openapi.json`).expect(200);
        expect(await lintOpenApi(served.body as object)).toEqual({ errors: [], warnings: [] });
      });
    } else {
      it("passes Redocly's recommended rules with no errors, every operation named", async () => {
        expect(await servedOpenApiProblems(subject.app, docsPath)).toEqual([]);
      });
    }

    const { operations } = options;
    const none = 'exactly' in operations && operations.exactly.length === 0;
    const name = none
      ? 'has no operation to fuzz: the service answers only health, readiness and metrics'
      : 'answers no request generated from it with 5xx, signed in or not';
    it(
      name,
      async () => {
        const result = await fuzzOpenApi({ app: subject.app, docsPath, ...subject.fuzz });
        if ('atLeast' in operations) {
          expect(result.operations.length).toBeGreaterThanOrEqual(operations.atLeast);
        } else {
          expect([...result.operations].sort()).toEqual([...operations.exactly].sort());
        }
        if (none) expect(result.runs).toBe(0);
      },
      options.fuzzTimeoutMs ?? 60_000,
    );
  });

  const { committedIn } = options;
  if (committedIn === undefined) return;
  describe('the committed OpenAPI document', () => {
    it('is the document the service serves, which the web client generates its types from', async () => {
      const drift = await committedOpenApiDrift({
        app: subject.app,
        docsPath,
        file: path.join(committedIn, 'openapi.json'),
        command: `npm run openapi:write -w @glotixz/${options.service}`,
      });
      expect(drift).toBeNull();
    });
  });
}
