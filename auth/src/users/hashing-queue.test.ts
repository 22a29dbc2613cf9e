import type { AppError } from '@glotixz/common/errors';
import { HashingQueue } from './hashing-queue';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HashingQueue', () => {
  it('keeps a slot for sign-ins: a sign-in starts at once while sign-ups queue', async () => {
    const queue = new HashingQueue({ concurrency: 2, maxQueued: 10 });
    let running = 0;
    let most = 0;
    const hash = async () => {
      running++;
      most = Math.max(most, running);
      await sleep(100);
      running--;
    };
    const signups = Array.from({ length: 5 }, () => queue.run('signup', hash));
    await sleep(10);
    const started = Date.now();
    await queue.run('signin', () => Promise.resolve(Date.now() - started));
    // It did not wait for any sign-up: the second slot was free for it.
    expect(Date.now() - started).toBeLessThan(50);
    await Promise.all(signups);
    expect(most).toBe(1);
  });

  it('queues password resets with the sign-ups, behind sign-ins', async () => {
    const queue = new HashingQueue({ concurrency: 2, maxQueued: 10 });
    let running = 0;
    let most = 0;
    const hash = async () => {
      running++;
      most = Math.max(most, running);
      await sleep(100);
      running--;
    };
    const pending = [queue.run('signup', hash), queue.run('reset', hash), queue.run('reset', hash)];
    await sleep(10);
    const started = Date.now();
    await queue.run('signin', () => Promise.resolve());
    expect(Date.now() - started).toBeLessThan(50);
    await Promise.all(pending);
    expect(most).toBe(1);
  });

  it('answers SERVER_BUSY with a retry time once the waiting room is full', async () => {
    const queue = new HashingQueue({ concurrency: 1, maxQueued: 2 });
    const slow = () => sleep(50);
    const accepted = [queue.run('signup', slow), queue.run('signup', slow), queue.run('signup', slow)];
    const refused = queue.run('signup', slow);
    await expect(refused).rejects.toMatchObject({ code: 'SERVER_BUSY' });
    const error = (await refused.catch((e: unknown) => e)) as AppError;
    expect((error.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await Promise.all(accepted);
  });
});
