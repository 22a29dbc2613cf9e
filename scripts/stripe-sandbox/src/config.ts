import { z } from 'zod';
import { TEST_KEY } from './server/auth';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** The sandbox process's environment (`src/main.ts`). */
export const configSchema = z.object({
  STRIPE_SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(12111),
  STRIPE_SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  /** Pins the one accepted key; any `sk_test_...` or `rk_test_...` key otherwise. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(TEST_KEY, 'must be a test secret or restricted key (sk_test_... or rk_test_...)')
    .optional(),
  /** Where browsers reach the sandbox (account links' onboarding pages); its own address otherwise. */
  STRIPE_SANDBOX_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  STRIPE_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  STRIPE_WEBHOOK_SECRET: z.string({ error: 'is required' }).min(1, 'is required'),
  /** Signs the events of connected accounts (`account.updated`), as for a Connect endpoint. */
  STRIPE_CONNECT_WEBHOOK_SECRET: z.string().min(1).optional(),
  STRIPE_WEBHOOK_ATTEMPTS: positiveInt(10),
  STRIPE_WEBHOOK_BASE_DELAY_MS: positiveInt(500),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Parsed sandbox configuration. */
export type Config = z.output<typeof configSchema>;

/** Thrown by {@link loadConfig}; lists every problem so a bad setup is fixed in one go. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Parses the environment; empty variables count as unset. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = configSchema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
}
