import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import { AppError } from '@glotixz/common/errors';
import { SigninAttemptsStore } from './signin-attempts.store';
import type { AuthDb } from '../db/db';

/** Limits for failed sign-ins from one address. */
export interface SigninLimits {
  maxFailures: number;
  windowSeconds: number;
}

/** Limits for sign-ups from one address. */
export interface SignupLimits {
  maxPerAddress: number;
  windowSeconds: number;
}

function emailOf(body: unknown): string {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
}

function limitedHandler(windowSeconds: number, what: string): RequestHandler {
  return (req, _res, next) => {
    const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const retryAfterSeconds = resetTime
      ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
      : windowSeconds;
    next(
      new AppError('RATE_LIMITED', `Too many ${what}; try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      }),
    );
  };
}

const commonOptions = {
  standardHeaders: 'draft-7',
  legacyHeaders: false,
} satisfies Partial<Options>;

/**
 * Counts failed sign-ins per client address and email, so one client cannot try many passwords
 * on one account, and per address alone (ten times the budget), so one client cannot spray many
 * accounts. Only credential failures (401) count: mount it after validation, so a malformed
 * request is neither hashed nor counted, and a success, a 429 or a busy server is not counted
 * either. Over the limit: 429 `RATE_LIMITED` with `Retry-After`. The counts live in auth's
 * database, so replicas share them. Guessing one account from many addresses is the concern of
 * the per-account backoff.
 */
export function signinRateLimit(limits: SigninLimits, db: AuthDb): RequestHandler[] {
  const options = {
    ...commonOptions,
    windowMs: limits.windowSeconds * 1000,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: limitedHandler(limits.windowSeconds, 'failed sign-in attempts'),
  } satisfies Partial<Options>;
  return [
    rateLimit({
      ...options,
      limit: limits.maxFailures * 10,
      store: new SigninAttemptsStore(db, 'ip'),
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    }),
    rateLimit({
      ...options,
      limit: limits.maxFailures,
      store: new SigninAttemptsStore(db, 'ip-email'),
      keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${emailOf(req.body)}`,
    }),
  ];
}

/**
 * Counts sign-ups per client address (each costs a 128 MiB password hash), shared by replicas
 * like the sign-in counts. Mounted after validation; an attempt the server turned away (429,
 * 503) is not counted. Over the limit: 429 `RATE_LIMITED` with `Retry-After`.
 */
export function signupRateLimit(limits: SignupLimits, db: AuthDb): RequestHandler {
  return rateLimit({
    ...commonOptions,
    windowMs: limits.windowSeconds * 1000,
    limit: limits.maxPerAddress,
    skipFailedRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode < 429,
    store: new SigninAttemptsStore(db, 'signup'),
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    handler: limitedHandler(limits.windowSeconds, 'sign-ups from this address'),
  });
}

/** Limits for password-reset requests. */
export interface PasswordResetLimits {
  maxPerEmail: number;
  maxPerAddress: number;
  windowSeconds: number;
}

/**
 * Counts password-reset requests per email, from any address, so nobody can flood one inbox,
 * and per client address, so one client cannot mail many accounts. Every request the server
 * accepted counts (an unknown email too, or the counts would tell which emails exist); mounted
 * after validation, a malformed request is not counted. Over either limit: 429 `RATE_LIMITED`
 * with `Retry-After`. Shared by replicas like the sign-in counts.
 */
export function passwordResetRateLimit(limits: PasswordResetLimits, db: AuthDb): RequestHandler[] {
  const options = {
    ...commonOptions,
    windowMs: limits.windowSeconds * 1000,
    skipFailedRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode < 429,
    handler: limitedHandler(limits.windowSeconds, 'password reset requests'),
  } satisfies Partial<Options>;
  return [
    rateLimit({
      ...options,
      limit: limits.maxPerAddress,
      store: new SigninAttemptsStore(db, 'reset-ip'),
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    }),
    rateLimit({
      ...options,
      limit: limits.maxPerEmail,
      store: new SigninAttemptsStore(db, 'reset-email'),
      keyGenerator: (req) => emailOf(req.body),
    }),
  ];
}

/**
 * Counts failed password-reset confirmations (400 `INVALID_RESET_TOKEN`) per client address, so
 * one client cannot try token after token; a success or a malformed request is not counted.
 * Over the limit: 429 `RATE_LIMITED` with `Retry-After`.
 */
export function passwordResetConfirmRateLimit(
  limits: Pick<PasswordResetLimits, 'maxPerAddress' | 'windowSeconds'>,
  db: AuthDb,
): RequestHandler {
  return rateLimit({
    ...commonOptions,
    windowMs: limits.windowSeconds * 1000,
    limit: limits.maxPerAddress,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 400,
    store: new SigninAttemptsStore(db, 'reset-confirm'),
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    handler: limitedHandler(limits.windowSeconds, 'failed password resets from this address'),
  });
}
