import { StripeApiError, invalidParam } from '../server/stripe-error';

/** A saved response: replayed byte for byte for a retry with the same key and parameters. */
interface SavedResponse {
  status: number;
  json: string;
  requestId: string;
}

interface Entry {
  method: string;
  path: string;
  createdAt: number;
  /** Set once the request's parameters are known (after its body was read). */
  fingerprint?: string;
  saved?: SavedResponse;
}

/** What the idempotency layer decided for a request that carries a key. */
export type IdempotencyClaim =
  | { kind: 'owner'; key: string; complete(fingerprint: string): void; save(response: SavedResponse): void }
  | { kind: 'replay'; key: string; check(method: string, path: string, fingerprint: string): SavedResponse };

const KEY_TTL_MS = 24 * 3600 * 1000;
const MAX_KEY_LENGTH = 255;

/** A stable text for the request's parameters: the same form fields in any order compare equal. */
export function fingerprintOf(body: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
      );
    }
    return value;
  };
  return JSON.stringify(canonical(body ?? {}));
}

/**
 * Stripe's idempotency for POSTs, per secret key: the first request with a key runs and its
 * response (status and body) is saved once the endpoint started executing; a later request with
 * the same key and the same endpoint and parameters gets the saved response again; other
 * parameters or another endpoint are a 400 `idempotency_error`; a request arriving while the first
 * one is still in flight is a 409. Keys expire after 24 hours.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  /**
   * Claims `key` for a request as soon as its headers arrive (before its body is read), so a
   * concurrent duplicate is detected even while the first body is still streaming. `release`
   * must be called when the request ends; it forgets the key unless a response was saved.
   */
  claim(
    secretKey: string,
    key: string,
    method: string,
    path: string,
  ): { claim: IdempotencyClaim; release: () => void } {
    if (key.length > MAX_KEY_LENGTH) {
      throw invalidParam(
        'Idempotency-Key',
        `Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters long, but was ${key.length} characters.`,
      );
    }
    this.prune();
    const scoped = `${secretKey}\u0000${key}`;
    const existing = this.entries.get(scoped);
    if (existing?.saved) {
      const saved = existing.saved;
      return {
        claim: {
          kind: 'replay',
          key,
          check: (m, p, fingerprint) => this.check(existing, saved, key, m, p, fingerprint),
        },
        release: () => undefined,
      };
    }
    if (existing) {
      throw new StripeApiError(
        409,
        {
          type: 'idempotency_error',
          code: 'idempotency_key_in_use',
          message:
            'There is currently another in-progress request using this Idempotent Key (that probably means you ' +
            `submitted twice, and the other request is still going through): ${key}. Please try again later.`,
        },
        false,
      );
    }
    const entry: Entry = { method, path, createdAt: Date.now() };
    this.entries.set(scoped, entry);
    return {
      claim: {
        kind: 'owner',
        key,
        complete: (fingerprint) => {
          entry.fingerprint = fingerprint;
        },
        save: (response) => {
          entry.saved = response;
        },
      },
      release: () => {
        if (!entry.saved && this.entries.get(scoped) === entry) this.entries.delete(scoped);
      },
    };
  }

  private check(
    entry: Entry,
    saved: SavedResponse,
    key: string,
    method: string,
    path: string,
    fingerprint: string,
  ): SavedResponse {
    if (entry.method !== method || entry.path !== path) {
      throw new StripeApiError(
        400,
        {
          type: 'idempotency_error',
          message:
            'Keys for idempotent requests can only be used for the same endpoint they were first used for ' +
            `('${entry.method} ${entry.path}' vs '${method} ${path}'). ` +
            `Try using a key other than '${key}' if you meant to execute a different request.`,
        },
        false,
      );
    }
    if (entry.fingerprint !== fingerprint) {
      throw new StripeApiError(
        400,
        {
          type: 'idempotency_error',
          message:
            'Keys for idempotent requests can only be used with the same parameters they were first used with. ' +
            `Try using a key other than '${key}' if you meant to execute a different request.`,
        },
        false,
      );
    }
    return saved;
  }

  /** Entries are in insertion order, so the expired ones are at the front. */
  private prune(): void {
    const cutoff = Date.now() - KEY_TTL_MS;
    for (const [scoped, entry] of this.entries) {
      if (entry.createdAt >= cutoff) break;
      this.entries.delete(scoped);
    }
  }
}
