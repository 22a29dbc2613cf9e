import PQueue from 'p-queue';
import { AppError } from '@glotixz/common/errors';

/** Bounds of the password-hashing queue. */
export interface HashingLimits {
  /** Hashes computed at once (each scrypt holds 128 MiB and a thread for a few hundred ms). */
  concurrency: number;
  /** Hashes allowed to wait; past it a request answers 503 `SERVER_BUSY`. */
  maxQueued: number;
}

/** Who asked for a hash: a sign-in goes before any waiting sign-up. */
export type HashPurpose = 'signin' | 'signup';

const priority: Record<HashPurpose, number> = { signin: 1, signup: 0 };

/**
 * Runs password hashes (scrypt) through one queue with a concurrency limit, so a burst of
 * sign-ups cannot take every CPU, thread and 128 MiB slice of the process. Sign-ins jump ahead of
 * waiting sign-ups, so existing users can still get in while accounts are being created. When
 * `maxQueued` hashes are already waiting, {@link HashingQueue.run} answers 503 `SERVER_BUSY` at
 * once with a `Retry-After` estimated from the recent hash times.
 */
export class HashingQueue {
  private readonly queue: PQueue;
  /** Smoothed duration of one hash, for `Retry-After`. */
  private averageMs = 500;

  constructor(private readonly limits: HashingLimits) {
    this.queue = new PQueue({ concurrency: limits.concurrency });
  }

  /** Hashes waiting and running. */
  get load(): { waiting: number; running: number } {
    return { waiting: this.queue.size, running: this.queue.pending };
  }

  /** Runs `hash` when a slot is free. @throws AppError `SERVER_BUSY` when the queue is full. */
  async run<T>(purpose: HashPurpose, hash: () => Promise<T>): Promise<T> {
    if (this.queue.size >= this.limits.maxQueued) {
      const waitMs = ((this.queue.size + this.queue.pending) * this.averageMs) / this.limits.concurrency;
      const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new AppError('SERVER_BUSY', `The server is busy; try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
    return this.queue.add(
      async () => {
        const started = Date.now();
        try {
          return await hash();
        } finally {
          this.averageMs = 0.8 * this.averageMs + 0.2 * (Date.now() - started);
        }
      },
      { priority: priority[purpose] },
    );
  }
}
