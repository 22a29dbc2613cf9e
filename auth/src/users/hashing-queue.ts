import PQueue from 'p-queue';
import { AppError } from '@glotixz/common/errors';

/** Bounds of the password-hashing queue. */
export interface HashingLimits {
  /** Hashes computed at once (each scrypt holds 128 MiB and a thread for a few hundred ms). */
  concurrency: number;
  /** Hashes allowed to wait; past it a request answers 503 `SERVER_BUSY`. */
  maxQueued: number;
}

/** Who asked for a hash: sign-ins are served before sign-ups and password resets. */
export type HashPurpose = 'signin' | 'signup' | 'reset';

/**
 * Runs password hashes (scrypt) through one bounded queue, so a burst of sign-ups cannot take
 * every CPU, thread and 128 MiB slice of the process. Sign-ups may hold at most all slots but
 * one (when there are two or more), and a waiting sign-in goes before any waiting sign-up, so
 * existing users still get in at about the cost of their own hash while accounts are being
 * created. When `maxQueued` hashes of a kind are already waiting, {@link HashingQueue.run}
 * answers 503 `SERVER_BUSY` at once, with a `Retry-After` estimated from recent hash times.
 */
export class HashingQueue {
  /** Every hash runs here: `concurrency` at once, sign-ins first. */
  private readonly hashes: PQueue;
  /** Sign-ups and password resets pass this gate first, so they never take the last slot. */
  private readonly signups: PQueue;
  /** Smoothed duration of one hash, for `Retry-After`. */
  private averageMs = 500;

  constructor(private readonly limits: HashingLimits) {
    this.hashes = new PQueue({ concurrency: limits.concurrency });
    this.signups = new PQueue({ concurrency: Math.max(1, limits.concurrency - 1) });
  }

  /** Hashes waiting and running. */
  get load(): { waiting: number; running: number } {
    return { waiting: this.hashes.size + this.signups.size, running: this.hashes.pending };
  }

  /** Runs `hash` when a slot is free. @throws AppError `SERVER_BUSY` when the queue is full. */
  async run<T>(purpose: HashPurpose, hash: () => Promise<T>): Promise<T> {
    // A new password (sign-up or reset) queues behind sign-ins and never takes the last slot.
    const waiting = purpose === 'signin' ? this.hashes.size : this.signups.size;
    if (waiting >= this.limits.maxQueued) throw this.busy();
    const timed = async () => {
      const started = Date.now();
      try {
        return await hash();
      } finally {
        this.averageMs = 0.8 * this.averageMs + 0.2 * (Date.now() - started);
      }
    };
    if (purpose === 'signin') return this.hashes.add(timed, { priority: 1 });
    return this.signups.add(() => this.hashes.add(timed, { priority: 0 }));
  }

  private busy(): AppError {
    const { waiting, running } = this.load;
    const waitMs = ((waiting + running) * this.averageMs) / this.limits.concurrency;
    const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new AppError('SERVER_BUSY', `The server is busy; try again in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}
