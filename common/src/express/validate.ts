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

const NUL = '\u0000';
const nulMessage = 'Must not contain the NUL character (U+0000)';
const maxDepth = 32;

/**
 * Every string (and object key) holding U+0000 in `value`, named by its path. No text column in
 * PostgreSQL can store that character, so such input is refused before any schema or query sees it.
 */
function nulIssues(value: unknown, path: string, depth = 0): FieldIssue[] {
  if (typeof value === 'string') return value.includes(NUL) ? [{ path, message: nulMessage }] : [];
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return [];
  // No route takes anything this deep; refusing it keeps the walk bounded and unchecked text out.
  if (depth >= maxDepth) return [{ path, message: `Must not be nested more than ${maxDepth} levels deep` }];
  const issues: FieldIssue[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const at = `${path}.${key.includes(NUL) ? JSON.stringify(key).slice(1, -1) : key}`;
    if (key.includes(NUL)) issues.push({ path: at, message: nulMessage });
    else issues.push(...nulIssues(inner, at, depth + 1));
  }
  return issues;
}

/** Schemas for the parts of a request that {@link validate} checks. */
export interface RequestSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
}

/**
 * Validates and replaces `req.body`, `req.query` and `req.params` with their parsed values.
 * Every problem of every part is reported at once as 400 `VALIDATION_FAILED`. Whatever the schemas,
 * a NUL character anywhere in the params, query or body is one such problem.
 */
export function validate(schemas: RequestSchemas): RequestHandler {
  return (req, _res, next) => {
    const issues: FieldIssue[] = [];
    const parsed: Record<string, unknown> = {};
    for (const part of ['params', 'query', 'body'] as const) {
      const nul = nulIssues(part === 'body' ? req.body : req[part], part);
      if (nul.length > 0) {
        issues.push(...nul);
        continue;
      }
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
