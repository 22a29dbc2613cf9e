import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { AuthDb } from '../db/db';

function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/**
 * An express-rate-limit store in auth's own Postgres (`signin_attempts`), so every replica counts
 * against the same budget: a fixed window per key, started by its first hit. Each call is one
 * statement, atomic under concurrency (an upsert); keys are stored hashed. Expired rows are
 * pruned by `main.ts`.
 */
export class SigninAttemptsStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly db: AuthDb,
    /** Tells this limiter's keys from another's over the same table. */
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private key(key: string): string {
    return digest(`${this.prefix}:${key}`);
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const { rows } = await this.db.execute<{ hits: number; reset_at: string }>(sql`
      insert into signin_attempts (key, hits, reset_at)
      values (${this.key(key)}, 1, now() + make_interval(secs => ${this.windowMs}::double precision / 1000))
      on conflict (key) do update
        set hits = case when signin_attempts.reset_at <= now() then 1 else signin_attempts.hits + 1 end,
            reset_at = case when signin_attempts.reset_at <= now() then excluded.reset_at
                            else signin_attempts.reset_at end
      returning hits, reset_at`);
    const row = rows[0];
    if (!row) throw new Error('signin_attempts upsert returned no row');
    return { totalHits: Number(row.hits), resetTime: new Date(row.reset_at) };
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const { rows } = await this.db.execute<{ hits: number; reset_at: string }>(sql`
      select hits, reset_at from signin_attempts where key = ${this.key(key)} and reset_at > now()`);
    const row = rows[0];
    return row ? { totalHits: Number(row.hits), resetTime: new Date(row.reset_at) } : undefined;
  }

  async decrement(key: string): Promise<void> {
    await this.db.execute(sql`
      update signin_attempts set hits = greatest(hits - 1, 0)
       where key = ${this.key(key)} and reset_at > now()`);
  }

  async resetKey(key: string): Promise<void> {
    await this.db.execute(sql`delete from signin_attempts where key = ${this.key(key)}`);
  }
}
