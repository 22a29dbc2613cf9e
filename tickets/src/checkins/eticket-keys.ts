import { AppError } from '@glotixz/common/errors';
import type * as Jose from 'jose';
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';

/** One public P-256 key of the e-ticket signer, as a JWK. */
const publicJwkSchema = z
  .object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string().min(1),
    y: z.string().min(1),
    kid: z.string().min(1, 'every key needs a kid'),
    alg: z.literal('ES256').optional(),
    use: z.literal('sig').optional(),
  })
  .loose()
  .refine((jwk) => !('d' in jwk), 'a private key (with "d") must not be listed; give only the public part')
  .refine((jwk) => {
    try {
      createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
      return true;
    } catch {
      return false;
    }
  }, 'x and y must be a point on P-256')
  .transform(({ kty, crv, x, y, kid }) => ({
    kty,
    crv,
    x,
    y,
    kid,
    alg: 'ES256' as const,
    use: 'sig' as const,
  }));

/** A public JWKS of e-ticket keys, as `GET /api/checkins/keys` answers it. */
export type ETicketJwks = { keys: z.output<typeof publicJwkSchema>[] };

/**
 * `ETICKET_PUBLIC_KEYS`: a JWKS JSON string of the public P-256 keys e-tickets are signed with;
 * several keys while one is rotated out. Kids must be unique.
 */
export const eticketJwksEnv = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JWKS JSON string: {"keys":[{...}]}' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .object({ keys: z.array(publicJwkSchema) })
      .refine(
        (jwks) => new Set(jwks.keys.map((k) => k.kid)).size === jwks.keys.length,
        'every key needs a distinct kid',
      ),
  );

/** The claims of an e-ticket (contract: `{ tid, oid, eid, sub, iat }`). */
const claimsSchema = z.object({
  tid: z.uuid(),
  oid: z.uuid(),
  eid: z.uuid(),
  sub: z.string().min(1),
  iat: z.number().int(),
});

/** What a verified e-ticket says. */
export type ETicketClaims = z.output<typeof claimsSchema>;

/** The longest code accepted before any parsing; real ones are about 400 characters. */
const MAX_CODE_LENGTH = 4096;

const invalid = (message = 'This is not a valid Glotixz ticket code') =>
  new AppError('INVALID_TICKET_CODE', message);

/**
 * Verifies e-ticket codes against the configured public keys (ES256 only, typ `eticket+jwt`, key
 * by kid). jose loads with the first code: a service that checks no one in does without its
 * modules in memory.
 */
export function createETicketVerifier(jwks: ETicketJwks) {
  let jose: {
    keys: Jose.JWTVerifyGetKey;
    jwtVerify: typeof Jose.jwtVerify;
    JOSEError: typeof Jose.errors.JOSEError;
  };
  const loaded = () => {
    if (!jose) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
      const lib = require('jose') as typeof Jose;
      jose = { keys: lib.createLocalJWKSet(jwks), jwtVerify: lib.jwtVerify, JOSEError: lib.errors.JOSEError };
    }
    return jose;
  };
  return {
    /** The claims of a genuine code; throws `INVALID_TICKET_CODE` for anything else. */
    async verify(code: string): Promise<ETicketClaims> {
      const text = code.trim();
      if (text.length === 0 || text.length > MAX_CODE_LENGTH) throw invalid();
      const { keys, jwtVerify, JOSEError } = loaded();
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(text, keys, { algorithms: ['ES256'], typ: 'eticket+jwt' }));
      } catch (error) {
        if (error instanceof JOSEError || error instanceof TypeError) throw invalid();
        throw error;
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) throw invalid();
      return claims.data;
    },
  };
}

/** Verifies e-ticket codes. */
export type ETicketVerifier = ReturnType<typeof createETicketVerifier>;
