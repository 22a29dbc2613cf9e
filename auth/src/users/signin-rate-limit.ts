import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError } from '@glotixz/common/errors';
import { SigninAttemptsStore } from './signin-attempts.store';
import type { AuthDb } from './users.repo';

/** Limits for failed sign-ins. */
export interface SigninLimits {
  maxFailures: number;
  windowSeconds: number;
}

function emailOf(body: unknown): string {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
}

/**
 * Counts failed sign-ins per client address and email, so one attacker cannot try many passwords
 * on one account, and per address alone (ten times the budget), so one attacker cannot spray many
 * accounts. Successful sign-ins are not counted. Over the limit: 429 `RATE_LIMITED` with
 * `Retry-After`. The counts live in auth's database, so replicas share them.
 */
export function signinRateLimit(limits: SigninLimits, db: AuthDb): RequestHandler[] {
  const windowMs = limits.windowSeconds * 1000;
  const common = {
    windowMs,
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    handler: ((req, res, next) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime
        ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
        : limits.windowSeconds;
      res.setHeader('Retry-After', String(seconds));
      next(new AppError('RATE_LIMITED', `Too many failed sign-in attempts; try again in ${seconds} s`));
    }) satisfies RequestHandler,
  };
  return [
    rateLimit({
      ...common,
      limit: limits.maxFailures * 10,
      store: new SigninAttemptsStore(db, 'ip'),
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    }),
    rateLimit({
      ...common,
      limit: limits.maxFailures,
      store: new SigninAttemptsStore(db, 'ip-email'),
      keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${emailOf(req.body)}`,
    }),
  ];
}
