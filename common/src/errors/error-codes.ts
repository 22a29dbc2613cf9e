/**
 * The one table of error codes: every 4xx/5xx a Glotixz service answers carries one of these
 * stable UPPER_SNAKE codes, and the code alone decides the HTTP status.
 */
export const errorStatus = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  OWN_TICKET: 400,
  INVALID_SIGNATURE: 400,
  PAYMENT_METHOD_INVALID: 400,
  PAYMENT_REQUEST_INVALID: 400,
  NOT_AUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  PAYMENT_DECLINED: 402,
  FORBIDDEN: 403,
  CROSS_ORIGIN_REQUEST: 403,
  NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  EMAIL_IN_USE: 409,
  TICKET_RESERVED: 409,
  TICKET_SOLD: 409,
  TICKET_UNLISTED: 409,
  EVENT_STARTED: 409,
  ORDER_NOT_CANCELLABLE: 409,
  ORDER_NOT_PAYABLE: 409,
  ORDER_ALREADY_PAID: 409,
  HOLD_LIMIT_REACHED: 409,
  HOLD_COOLDOWN: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  BAD_GATEWAY: 502,
  PAYMENT_PROVIDER_UNAVAILABLE: 503,
  SERVICE_UNAVAILABLE: 503,
  TOO_MANY_CONNECTIONS: 503,
  SERVER_BUSY: 503,
} as const;

/** A machine-readable error code. */
export type ErrorCode = keyof typeof errorStatus;

/** All known codes, for documentation (OpenAPI enums) and tests. */
export const errorCodes = Object.keys(errorStatus) as ErrorCode[];
