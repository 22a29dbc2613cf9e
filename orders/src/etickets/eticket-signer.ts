import type * as Jose from 'jose';
import { createPrivateKey, type KeyObject } from 'node:crypto';

/** The claims of an e-ticket's code (contract: `{ tid, oid, eid, sub, iat }`, no `exp`). */
export interface ETicketClaims {
  /** The ticket. */
  tid: string;
  /** The order. */
  oid: string;
  /** The event the ticket admits to. */
  eid: string;
  /** The buyer. */
  sub: string;
  /** Issued at, seconds since the epoch. */
  iat: number;
}

/** Signs e-ticket codes: ES256 compact JWS, header `{ alg: 'ES256', typ: 'eticket+jwt', kid }`. */
export interface ETicketSigner {
  readonly kid: string;
  sign(claims: ETicketClaims): Promise<string>;
}

/**
 * The signer for `ETICKET_SIGNING_KEY` (PKCS8 PEM of a P-256 key) under `ETICKET_KEY_ID`. The key
 * is imported once, here; signing is CPU only, so it may run inside a database transaction. jose
 * loads with the first e-ticket: until an order completes, its modules stay out of memory.
 */
export function createETicketSigner(options: { signingKey: string; keyId: string }): ETicketSigner {
  const key: KeyObject = createPrivateKey(options.signingKey);
  const kid = options.keyId;
  return {
    kid,
    sign: ({ tid, oid, eid, sub, iat }) =>
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
      new (require('jose') as typeof Jose).SignJWT({ tid, oid, eid })
        .setProtectedHeader({ alg: 'ES256', typ: 'eticket+jwt', kid })
        .setSubject(sub)
        .setIssuedAt(iat)
        .sign(key),
  };
}
