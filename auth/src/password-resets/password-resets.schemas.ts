import { z } from 'zod';
import { emailSchema, passwordSchema } from '../users/users.schemas';

/** `POST /api/users/password-reset` body. */
export const passwordResetRequestSchema = z
  .object({ email: emailSchema })
  .strict()
  .meta({ id: 'PasswordResetRequest' });

/** `POST /api/users/password-reset/confirm` body. */
export const passwordResetConfirmSchema = z
  .object({
    token: z
      .string()
      .min(1, 'Enter the token from the reset link')
      .max(256, 'Token must be at most 256 characters')
      .meta({ description: 'The token of the reset link (`/reset-password?token=`)' }),
    password: passwordSchema,
  })
  .strict()
  .meta({ id: 'PasswordResetConfirm' });

/** What both password-reset routes answer: nothing more than that it was accepted. */
export const emptySchema = z.object({}).strict().meta({ id: 'Empty' });
