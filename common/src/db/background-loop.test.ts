import pino from 'pino';
import { waitFor } from '../testing/wait';
import { createBackgroundLoop } from './background-loop';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createBackgroundLoop()', () => {
  it('runs a pass at start, again when woken, never two at once, and waits for the one in progress on stop', async () => {
    let running = 0;
    let overlapped = false;
    let passes = 0;
    const loop = createBackgroundLoop({
      name: 'test-loop',
      logger,
      intervalMs: 60_000,
      pass: async () => {
        running += 1;
        overlapped ||= running > 1;
        await sleep(30);
        passes += 1;
        running -= 1;
      },
    });

    loop.start();
    loop.start();
    loop.wake();
    loop.wake();
    await sleep(150);
    expect(passes).toBe(2);

    loop.wake();
    await sleep(5);
    await loop.stop();
    expect(passes).toBe(3);
    expect(running).toBe(0);
    expect(overlapped).toBe(false);
  });

  it('keeps going after a failed pass, retrying sooner than the interval', async () => {
    let calls = 0;
    const loop = createBackgroundLoop({
      name: 'test-loop',
      logger,
      intervalMs: 60_000,
      backoff: { baseMs: 10, capMs: 10 },
      pass: () => {
        calls += 1;
        return calls < 3 ? Promise.reject(new Error('database away')) : Promise.resolve();
      },
    });

    loop.start();
    // Waits for the third pass rather than a fixed time, which a busy machine can outlast.
    await waitFor(() => calls >= 3, 5_000, 'a third pass');
    await sleep(50);
    await loop.stop();
    expect(calls).toBe(3);
  });
});
