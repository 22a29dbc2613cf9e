import type { ApiErrorBody } from './types';

/** A failed API call: the service's `{ code, message, details }`, or a code of our own. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds from a Retry-After header, when the service sent one. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  /** The error a non-2xx answer stands for, whatever its body. */
  static fromBody(status: number, body: unknown, retryAfter?: number): ApiError {
    if (isErrorBody(body)) return new ApiError(status, body.code, body.message, body.details, retryAfter);
    return new ApiError(
      status,
      status >= 500 ? 'SERVICE_UNAVAILABLE' : 'UNEXPECTED',
      `Unexpected answer (${status})`,
      undefined,
      retryAfter,
    );
  }
}

/** No answer at all: offline, DNS, connection refused. */
export const NETWORK_ERROR = 'NETWORK_ERROR';

function isErrorBody(body: unknown): body is ApiErrorBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as ApiErrorBody).code === 'string' &&
    typeof (body as ApiErrorBody).message === 'string'
  );
}

/** What the buyer or seller reads for each stable error code. */
const MESSAGES: Record<string, string> = {
  NETWORK_ERROR: 'We could not reach Glotixz. Check your connection and try again.',
  SERVICE_UNAVAILABLE: 'Something went wrong on our side. Please try again in a moment.',
  BAD_GATEWAY: 'That part of Glotixz is unavailable right now. Please try again in a moment.',
  INTERNAL: 'Something went wrong on our side. Please try again in a moment.',
  UNEXPECTED: 'Something unexpected happened. Please try again.',
  NOT_AUTHENTICATED: 'Your session has ended. Sign in to continue.',
  INVALID_CREDENTIALS: 'That email and password do not match an account.',
  EMAIL_IN_USE: 'An account with this email already exists. Sign in instead?',
  INVALID_RESET_TOKEN:
    'This reset link is invalid or has expired, or a newer one was sent. Ask for a new link.',
  RATE_LIMITED: 'Too many attempts. Wait a few minutes and try again.',
  VALIDATION_FAILED: 'Please check the highlighted fields.',
  MALFORMED_JSON: 'Something unexpected happened. Please try again.',
  TICKET_RESERVED: 'Someone has just reserved this ticket. It comes back if their order is not paid in time.',
  TICKET_SOLD: 'This ticket has been sold to another buyer.',
  TICKET_UNLISTED: 'The seller has taken this ticket down, so it is not for sale right now.',
  EVENT_STARTED: 'This event has started, so its tickets are no longer sold.',
  EVENT_NOT_FOUND: 'We could not find that event. Pick it again or create it.',
  TICKET_NOT_FOUND: 'We could not find that ticket. It may have been removed.',
  OWN_TICKET: 'This is your own listing, so you cannot buy it.',
  NOT_FOUND: 'We could not find that. It may have been removed.',
  FORBIDDEN: 'Only the seller can change this ticket.',
  ORDER_NOT_CANCELLABLE: 'This order has been paid, so it can no longer be cancelled.',
  ORDER_NOT_PAYABLE: 'This order can no longer be paid: it was cancelled or it expired.',
  ORDER_ALREADY_PAID: 'This order is already paid.',
  PAYMENT_DECLINED: 'Your card was declined. Try another card.',
  PAYMENT_PROVIDER_UNAVAILABLE:
    'Our payment provider is not responding. Your card was not charged; try again.',
  PAYMENT_METHOD_INVALID: 'That card cannot be used. Check its details or try another card.',
  PAYMENT_REQUEST_INVALID:
    'The payment could not be started. Your card was not charged; reload the page and try again.',
  HOLD_LIMIT_REACHED:
    'You are already holding as many tickets as you can at once. Pay for or cancel one of your orders first.',
  HOLD_COOLDOWN: 'You let this ticket go a moment ago. You can reserve it again shortly.',
  CROSS_ORIGIN_REQUEST:
    'That request did not come from a Glotixz page, so it was refused. Reload the page and try again.',
  SERVER_BUSY: 'Glotixz is very busy right now. Please try again in a few seconds.',
};

/** "in 45 seconds", "in 10 minutes": how long a Retry-After asks to wait. */
function waitPhrase(seconds: number): string {
  if (seconds < 60) {
    const s = Math.max(1, Math.ceil(seconds));
    return `in ${s} second${s === 1 ? '' : 's'}`;
  }
  const minutes = Math.ceil(seconds / 60);
  return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** Seconds to wait: the Retry-After header, else `details.retryAfterSeconds`. */
function retryAfterOf(error: ApiError): number | null {
  if (error.retryAfter) return error.retryAfter;
  const details = error.details as { retryAfterSeconds?: unknown } | null | undefined;
  const seconds = typeof details === 'object' && details !== null ? details.retryAfterSeconds : undefined;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

/** Decline codes (Stripe's `decline_code`) a buyer can act on. */
const DECLINES: Record<string, string> = {
  generic_decline: 'Your card was declined. Try another card.',
  insufficient_funds: 'Your card has insufficient funds. Try another card.',
  lost_card: 'Your card was declined. Try another card.',
  stolen_card: 'Your card was declined. Try another card.',
  expired_card: 'Your card has expired. Check the expiry date or use another card.',
  incorrect_cvc: 'The security code (CVC) is incorrect.',
  processing_error: 'There was a problem processing your card. Try again in a moment.',
  test_mode_live_card: 'This sandbox accepts Stripe test cards only.',
};

/** The decline code inside a PAYMENT_DECLINED error's details, however the service nests it. */
export function declineCodeOf(details: unknown): string | null {
  if (typeof details !== 'object' || details === null) return null;
  const record = details as Record<string, unknown>;
  if (typeof record.declineCode === 'string') return record.declineCode;
  if (Array.isArray(details)) {
    for (const item of details as unknown[]) {
      const code = declineCodeOf(item);
      if (code) return code;
    }
  }
  return null;
}

/** The sentence shown for an error, by its code (the service's own message as a fallback). */
export function messageFor(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'PAYMENT_DECLINED') {
      const decline = declineCodeOf(error.details);
      return (decline && DECLINES[decline]) ?? MESSAGES.PAYMENT_DECLINED ?? error.message;
    }
    const wait = retryAfterOf(error);
    if (wait !== null) {
      if (error.code === 'RATE_LIMITED') return `Too many attempts. Try again ${waitPhrase(wait)}.`;
      if (error.code === 'HOLD_COOLDOWN') {
        return `You let this ticket go a moment ago. You can reserve it again ${waitPhrase(wait)}.`;
      }
      if (error.code === 'SERVER_BUSY')
        return `Glotixz is very busy right now. Please try again ${waitPhrase(wait)}.`;
    }
    return MESSAGES[error.code] ?? error.message;
  }
  return MESSAGES.UNEXPECTED ?? 'Something unexpected happened.';
}

/** A decline reason as the payments API reports it on a payment (`lastError`). */
export function declineMessage(declineCode: string | null, fallback: string): string {
  return (declineCode && DECLINES[declineCode]) ?? fallback;
}

/**
 * Per-field messages of a VALIDATION_FAILED error: details `[{ path: 'body.price', message }]`
 * become `{ price: message }` (the first message per field wins).
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return fields;
  for (const item of error.details as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { path, message } = item as { path?: unknown; message?: unknown };
    if (typeof message !== 'string') continue;
    const raw: unknown[] = Array.isArray(path)
      ? (path as unknown[])
      : typeof path === 'string'
        ? path.split('.')
        : [];
    const segments = raw
      .filter((s): s is string | number => typeof s === 'string' || typeof s === 'number')
      .map(String);
    const field = segments[0] === 'body' || segments[0] === 'query' ? segments[1] : segments[0];
    if (field && !(field in fields)) fields[field] = message;
  }
  return fields;
}
