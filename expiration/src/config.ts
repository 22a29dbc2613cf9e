import { baseEnv, busEnv, env, loadConfigOrExit } from '@glotixz/common/config';
import { z } from 'zod';

/** The expiration service's environment. */
export const configSchema = z.object({
  ...baseEnv,
  ...busEnv,
  PORT: env.port(3005),
  REDIS_URL: env.url(['redis', 'rediss']),
  /** The BullMQ queue that holds one delayed job per order. */
  QUEUE_NAME: z
    .string()
    .min(1)
    .regex(/^[^:]+$/, 'a BullMQ queue name cannot contain ":"')
    .default('order-expiration'),
  /** The BullMQ key prefix in Redis. */
  QUEUE_PREFIX: z.string().min(1).default('glotixz'),
});

/** Parsed expiration configuration. */
export type Config = z.output<typeof configSchema>;

/** Reads the configuration once; exits listing every problem when it is invalid. */
export function readConfig(source: Record<string, string | undefined>): Config {
  return loadConfigOrExit(configSchema, source);
}
