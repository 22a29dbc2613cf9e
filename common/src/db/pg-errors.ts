import type { DatabaseError } from 'pg';

// Duck-typed rather than instanceof, so a second copy of pg in node_modules cannot hide errors.
function isDatabaseError(value: Error): value is DatabaseError {
  return typeof (value as Partial<DatabaseError>).code === 'string' && 'severity' in value;
}

/** The Postgres error behind `err`, looking through drizzle's `DrizzleQueryError` (`cause`). */
export function pgErrorOf(err: unknown): DatabaseError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (isDatabaseError(current)) return current;
    current = current.cause;
  }
  return undefined;
}

/**
 * Whether `err` is a unique violation (SQLSTATE 23505), optionally of the constraint or unique
 * index named `constraintName`. Works on pg errors and on drizzle errors wrapping them.
 */
export function isUniqueViolation(err: unknown, constraintName?: string): boolean {
  const pgError = pgErrorOf(err);
  if (pgError?.code !== '23505') return false;
  return constraintName === undefined || pgError.constraint === constraintName;
}
