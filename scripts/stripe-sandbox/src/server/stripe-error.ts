/** Stripe's error `type` values the sandbox answers with. */
export type StripeErrorType = 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';

/** The `error` member of a Stripe error response; field names as in Stripe's API. */
export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
  request_log_url?: string;
}

/**
 * An API call that fails the way Stripe fails it: an HTTP status and the `{ error }` body.
 * `saved` is false for failures Stripe does not record against an idempotency key (the request
 * never started executing: invalid parameters), so a corrected retry with the same key runs.
 */
export class StripeApiError extends Error {
  override readonly name = 'StripeApiError';

  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly saved = true,
  ) {
    super(body.message);
  }

  /** The JSON body Stripe sends. */
  toJSON(): { error: StripeErrorBody } {
    return { error: this.body };
  }
}

/** Stripe's documentation link for an error code. */
export function docUrl(code: string): string {
  return `https://docs.stripe.com/error-codes/${code.replace(/_/g, '-')}`;
}

/** A 400 `invalid_request_error` about a request parameter; not saved against an idempotency key. */
export function invalidParam(param: string, message: string, code?: string): StripeApiError {
  return new StripeApiError(
    400,
    { type: 'invalid_request_error', message, param, ...(code ? { code, doc_url: docUrl(code) } : {}) },
    false,
  );
}

/** A 400 `invalid_request_error` raised while executing a call (saved against an idempotency key). */
export function invalidRequest(
  message: string,
  details: Partial<Omit<StripeErrorBody, 'type' | 'message'>> = {},
): StripeApiError {
  const code = details.code;
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    message,
    ...details,
    ...(code ? { doc_url: docUrl(code) } : {}),
  });
}

/**
 * `resource_missing`: 404 for the object named in the URL, 400 for an object referenced by a
 * body parameter, as Stripe answers.
 */
export function resourceMissing(label: string, id: string, param: string, status: 400 | 404): StripeApiError {
  return new StripeApiError(status, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    doc_url: docUrl('resource_missing'),
    message: `No such ${label}: '${id}'`,
    param,
  });
}

/** 401 without a usable secret key. */
export function notAuthenticated(message: string): StripeApiError {
  return new StripeApiError(401, { type: 'invalid_request_error', message }, false);
}
