import type { TokenSession } from './jwt';

/** The session of a verified token, with the user it belongs to. */
export interface SessionRef extends TokenSession {
  userId: string;
}

/**
 * Tells whether the session of a verified token was revoked (signed out). Auth answers from its
 * own database; every other service from a {@link RevokedSessions} set fed by `session.revoked`.
 */
export interface SessionRevocationCheck {
  isRevoked(session: SessionRef): boolean | Promise<boolean>;
}

/**
 * The revoked sessions one process knows of, in memory: each id is kept until the last token of
 * that session has expired (after which the signature check refuses it anyway), so the set stays
 * as small as the revocations of one token lifetime.
 */
export class RevokedSessions implements SessionRevocationCheck {
  private readonly until = new Map<string, number>();
  private nextPruneAt = 0;

  /** Remembers that `sessionIds` are revoked until `expiresAt`. */
  revoke(sessionIds: readonly string[], expiresAt: Date, now = Date.now()): void {
    const until = expiresAt.getTime();
    if (until <= now) return;
    for (const id of sessionIds) this.until.set(id, Math.max(until, this.until.get(id) ?? 0));
    this.prune(now);
  }

  isRevoked(session: Pick<SessionRef, 'id'>): boolean {
    return this.until.has(session.id);
  }

  /** How many revoked sessions are remembered. */
  get size(): number {
    return this.until.size;
  }

  /** Forgets sessions whose tokens have all expired; at most once a minute unless forced. */
  prune(now = Date.now(), force = false): void {
    if (!force && now < this.nextPruneAt) return;
    this.nextPruneAt = now + 60_000;
    for (const [id, until] of this.until) if (until <= now) this.until.delete(id);
  }
}
