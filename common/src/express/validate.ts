import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { AppError } from '../errors';

/** One problem with the request, named by where it is. */
export interface FieldIssue {
  /** `body.email`, `query.limit`, `params.id`… */
  path: string;
  message: string;
}

/** Turns a ZodError into the `details` of a `VALIDATION_FAILED` answer. */
export function validationDetails(error: z.ZodError, prefix?: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || (prefix ?? '(root)'),
    message: issue.message,
  }));
}

/** Schemas for the parts of a request that {@link validate} checks. */
export interface RequestSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
}

/**
 * Validates and replaces `req.body`, `req.query` and `req.params` with their parsed values.
 * Every problem of every part is reported at once as 400 `VALIDATION_FAILED`.
 */
export function validate(schemas: RequestSchemas): RequestHandler {
  return (req, _res, next) => {
    const issues: FieldIssue[] = [];
    const parsed: Record<string, unknown> = {};
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(part === 'body' ? (req.body ?? undefined) : req[part]);
      if (result.success) parsed[part] = result.data;
      else issues.push(...validationDetails(result.error, part));
    }
    if (issues.length > 0) {
      next(new AppError('VALIDATION_FAILED', 'The request is invalid', issues));
      return;
    }
    // Express 5 exposes req.query through a getter; an own property shadows it.
    for (const [part, value] of Object.entries(parsed)) {
      Object.defineProperty(req, part, { value, writable: true, configurable: true, enumerable: true });
    }
    next();
  };
}
