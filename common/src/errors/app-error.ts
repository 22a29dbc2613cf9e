import { errorStatus, type ErrorCode } from './error-codes';

/** The JSON body of every error response. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/**
 * The one error type services throw for an expected failure. The error middleware turns it into
 * `{ code, message, details }` with the status from {@link errorStatus}.
 */
export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The HTTP status this error answers with. */
  get status(): number {
    return errorStatus[this.code];
  }

  /** The response body; never includes a stack or a cause. */
  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** Shorthand for a 404 that does not reveal whether the object exists for someone else. */
export function notFound(what = 'Resource'): AppError {
  return new AppError('NOT_FOUND', `${what} not found`);
}
