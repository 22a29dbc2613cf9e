import type { Express } from 'express';
import request from 'supertest';

/** Options of {@link itRejectsUnparsableBodies}. */
export interface UnparsableBodiesOptions {
  /** The app under test, started by the test file's `beforeAll`. */
  app(this: void): Express;
  /** The route that reads a JSON body, posted to. */
  path: string;
  /** A valid token when the route needs one. */
  authorization?(this: void): string;
  /** The start of a valid body, cut off mid-value. */
  truncatedJson: string;
  /** A body the route would accept as JSON, sent form-encoded instead. */
  form: Record<string, string>;
}

/**
 * The tests of a JSON route's body parsing: a cut-off body is 400 MALFORMED_JSON and a
 * form-encoded one 415 UNSUPPORTED_MEDIA_TYPE, answered before the route's own checks. Call it
 * inside the route's `describe`.
 */
export function itRejectsUnparsableBodies(options: UnparsableBodiesOptions): void {
  const post = () => {
    const test = request(options.app()).post(options.path);
    return options.authorization ? test.set('authorization', options.authorization()) : test;
  };

  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    const res = await post().set('content-type', 'application/json').send(options.truncatedJson).expect(400);
    expect(res.body).toEqual({ code: 'MALFORMED_JSON', message: expect.any(String) as unknown });
  });

  it('a form-encoded body → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await post().type('form').send(options.form).expect(415);
    expect((res.body as { code?: string }).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
}

/** Expects an error body of `VALIDATION_FAILED` whose details name `path`, e.g. `body.price`. */
export function expectValidationFailure(body: unknown, path: string): void {
  expect(body).toMatchObject({ code: 'VALIDATION_FAILED' });
  expect((body as { details?: unknown }).details).toEqual(
    expect.arrayContaining([expect.objectContaining({ path })]),
  );
}
