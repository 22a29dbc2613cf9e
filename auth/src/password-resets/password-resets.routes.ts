import { defineRoute } from '@glotixz/common/express';
import type { RequestHandler } from 'express';
import {
  emptySchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
} from './password-resets.schemas';
import type { PasswordResetsService } from './password-resets.service';

const tags = ['users'];

/** The rate limiters the routes mount after validation. */
export interface PasswordResetLimiters {
  request: RequestHandler[];
  confirm: RequestHandler[];
}

/** The password-reset routes: the table first, handlers below. */
export function passwordResetRoutes(resets: PasswordResetsService, limiters: PasswordResetLimiters) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/users/password-reset',
      operationId: 'requestPasswordReset',
      summary: 'Ask for a password-reset link',
      description:
        'Mails a single-use link to reset the password to the account with this email, if there is one. Answers 202 `{}` either way, so the answer does not tell whether the account exists. A newer request supersedes the links sent before it. Limited per email and per client address.',
      tags,
      body: passwordResetRequestSchema,
      afterValidation: limiters.request,
      responses: {
        202: { description: 'Accepted; a link is mailed if the account exists', schema: emptySchema },
      },
      errors: ['RATE_LIMITED'],
      handler: async (req, res) => {
        await resets.request(req.body.email);
        res.status(202).json({});
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/password-reset/confirm',
      operationId: 'confirmPasswordReset',
      summary: 'Set a new password with a reset link',
      description:
        'Sets the new password of the account the token was mailed to and revokes every session of that account, on every device. A token works once, before it expires, and only if no newer one was asked for.',
      tags,
      body: passwordResetConfirmSchema,
      afterValidation: limiters.confirm,
      responses: { 200: { description: 'Password changed; every session signed out', schema: emptySchema } },
      errors: ['INVALID_RESET_TOKEN', 'RATE_LIMITED', 'SERVER_BUSY'],
      handler: async (req, res) => {
        await resets.confirm(req.body.token, req.body.password);
        res.status(200).json({});
      },
    }),
  ];
}
