import { createPrivateKey, createPublicKey } from 'node:crypto';
import { z } from 'zod';

function isP256(load: () => { asymmetricKeyDetails?: { namedCurve?: string } }): boolean {
  try {
    return load().asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

/** A comma-separated list of non-empty strings. */
const list = (minItems = 1) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(minItems, `must list at least ${minItems} value(s)`));

/**
 * A PEM key. Accepts real newlines, `\n` escapes (one-line env files) or base64 of the PEM
 * (secrets managers that dislike newlines).
 */
const pem = (kind: 'PUBLIC KEY' | 'PRIVATE KEY') =>
  z
    .string()
    .min(1)
    .transform((value) => {
      const text = value.includes('-----BEGIN')
        ? value.replace(/\\n/g, '\n')
        : Buffer.from(value, 'base64').toString('utf8');
      return text.trim() + '\n';
    })
    .refine((text) => text.includes(`-----BEGIN ${kind}-----`) || text.includes('-----BEGIN EC '), {
      message: `must be a PEM ${kind.toLowerCase()}`,
    });

/** Zod building blocks for environment variables (all arrive as strings). */
export const env = {
  /** A TCP port, 1–65535. */
  port: (fallback?: number) => {
    const schema = z.coerce.number().int().min(1).max(65535);
    return fallback === undefined ? schema : schema.default(fallback);
  },

  /** A positive integer, e.g. a timeout in seconds. */
  positiveInt: (fallback?: number) => {
    const schema = z.coerce.number().int().positive();
    return fallback === undefined ? schema : schema.default(fallback);
  },

  /** A URL whose scheme is one of `protocols` (without the colon). */
  url: (protocols: string[], fallback?: string) => {
    const schema = z.string().refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `must be a URL with scheme ${protocols.join(' or ')}` },
    );
    return fallback === undefined ? schema : schema.default(fallback);
  },

  /**
   * One URL, or several separated by commas (the servers of a cluster), each with a scheme of
   * `protocols`. The value stays the text given; split it where it is used.
   */
  urlList: (protocols: string[]) =>
    z.string().refine(
      (value) =>
        value.split(',').every((part) => {
          try {
            return protocols.includes(new URL(part.trim()).protocol.replace(/:$/, ''));
          } catch {
            return false;
          }
        }),
      { message: `must be a URL, or URLs separated by commas, with scheme ${protocols.join(' or ')}` },
    ),

  /** `true`/`false`/`1`/`0`/`yes`/`no`. */
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1' || value === 'yes'),

  list,

  pem,

  /** An ES256 (EC P-256) private key as PEM: what auth signs tokens with. */
  ecPrivateKey: () =>
    pem('PRIVATE KEY').refine((pem) => isP256(() => createPrivateKey(pem)), {
      message: 'must be an EC P-256 private key (ES256)',
    }),

  /** An ES256 (EC P-256) public key as PEM: what the other services verify tokens with. */
  ecPublicKey: () =>
    pem('PUBLIC KEY').refine((pem) => isP256(() => createPublicKey(pem)), {
      message: 'must be an EC P-256 public key (ES256)',
    }),

  /** Cookie signing keys, comma-separated; the first signs, all verify (rotation). */
  cookieKeys: () => list().pipe(z.array(z.string().min(32, 'each cookie key needs at least 32 characters'))),

  /** Express `trust proxy`: `true`, `false`, or addresses/subnets such as `loopback`. */
  trustProxy: () =>
    z
      .string()
      .default('loopback')
      .transform((value): string | boolean => (value === 'true' ? true : value === 'false' ? false : value)),

  /** The bus isolation prefix: empty in services, random in tests. */
  busPrefix: () =>
    z
      .string()
      .regex(/^[A-Za-z0-9_-]*$/, 'use letters, digits, _ and - only')
      .default(''),

  /** The runtime environment; anything but `development` and `test` counts as production-like. */
  nodeEnv: () => z.enum(['development', 'test', 'production']).default('production'),

  /** A pino log level. */
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
