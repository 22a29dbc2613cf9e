import { trace } from '@opentelemetry/api';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { AppError, type ErrorCode } from '../errors';
import { validationDetails } from './validate';

interface HttpParserError {
  type: string;
  status?: number;
}

function isParserError(error: unknown): error is HttpParserError {
  return typeof error === 'object' && error !== null && typeof (error as HttpParserError).type === 'string';
}

/** Maps body-parser failures (which are client errors) to stable codes. */
function fromParserError(error: HttpParserError): AppError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new AppError('MALFORMED_JSON', 'The request body is not valid JSON');
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported content encoding or charset');
    case 'request.aborted':
    case 'request.size.invalid':
      return new AppError('BAD_REQUEST', 'The request body could not be read');
    default:
      return undefined;
  }
}

/** The codes of client errors other middleware raise with only a status; any other 4xx is BAD_REQUEST. */
const clientErrorCodes: Partial<Record<number, ErrorCode>> = {
  401: 'NOT_AUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/**
 * Client errors raised the http-errors way, a 4xx `status` on the error, by Express and the body
 * parser beyond the types above: a path parameter that is not valid percent-encoding, a corrupt
 * gzip body. Their messages may quote the input, so the answer says only what kind of error it is.
 */
function fromClientError(error: unknown): AppError | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (error instanceof URIError) return new AppError('BAD_REQUEST', 'The request path is not valid');
  const code = clientErrorCodes[status] ?? 'BAD_REQUEST';
  return new AppError(code, 'The request could not be processed');
}

function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) {
    return new AppError('VALIDATION_FAILED', 'The request is invalid', validationDetails(error));
  }
  if (isParserError(error)) return fromParserError(error) ?? fromClientError(error);
  return fromClientError(error);
}

/** An error that says when to try again (`details.retryAfterSeconds`) answers it as `Retry-After`. */
function retryAfterSeconds(error: AppError): number | undefined {
  const value = (error.details as { retryAfterSeconds?: unknown } | null | undefined)?.retryAfterSeconds;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * The last middleware of every service: expected errors answer `{ code, message, details }`
 * with their status (and `Retry-After` when their details carry `retryAfterSeconds`); anything
 * else is logged with its stack and answers a bare 500.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const appError = toAppError(error);
    if (appError) {
      const retryAfter = retryAfterSeconds(appError);
      if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
      res.status(appError.status).json(appError.toBody());
      return;
    }
    (req.log ?? logger).error({ err: error }, 'unhandled error');
    trace.getActiveSpan()?.recordException(error instanceof Error ? error : String(error));
    res.status(500).json({ code: 'INTERNAL', message: 'Internal server error' });
  };
}

/** Answers 404 `NOT_FOUND` for any route no router handled. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};
