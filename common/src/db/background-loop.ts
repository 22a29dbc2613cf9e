import type { Logger } from 'pino';
import { backoffDelay, type BackoffOptions } from '../bus/backoff';

/** Options of {@link createBackgroundLoop}. */
export interface BackgroundLoopOptions {
  /** Names the loop in its logs. */
  name: string;
  logger: Logger;
  /** Pause between passes. */
  intervalMs: number;
  /** One pass of the work. A pass that throws is logged, and the next one comes sooner or later by `backoff`. */
  pass: () => Promise<unknown>;
  /** Pause after consecutive failed passes, never longer than `intervalMs`. Default 1 s doubling. */
  backoff?: BackoffOptions;
}

/** A loop that runs a pass now, then every interval or whenever woken, until stopped. */
export interface BackgroundLoop {
  /** Runs a pass now, then every `intervalMs`; a second call does nothing. */
  start: () => void;
  /** Runs the next pass at once (or right after the one in progress). */
  wake: () => void;
  /** Stops the loop and waits for a pass in progress to finish. */
  stop: () => Promise<void>;
}

/**
 * The one primitive for a service's background work over its database (workers, sweepers,
 * reconcilers): passes never overlap within a process, a failed pass is logged and retried with
 * backoff, and `stop` waits for the pass in progress. Safety across replicas is the pass's own:
 * it claims its rows (`FOR UPDATE SKIP LOCKED`, conditional updates).
 */
export function createBackgroundLoop(options: BackgroundLoopOptions): BackgroundLoop {
  const { intervalMs } = options;
  const backoff = options.backoff ?? { baseMs: 1_000, capMs: intervalMs };
  const logger = options.logger.child({ component: options.name });
  let stopped = true;
  let loop: Promise<void> | undefined;
  let wakeRequested = false;
  let wakeUp: (() => void) | undefined;

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      wakeRequested = false;
      let pauseMs = intervalMs;
      try {
        await options.pass();
        failures = 0;
      } catch (err) {
        failures += 1;
        pauseMs = Math.min(intervalMs, backoffDelay(failures, backoff));
        logger.error({ err, retryInMs: pauseMs }, `${options.name} pass failed`);
      }
      if (!stopped && !wakeRequested) await sleep(pauseMs);
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      logger.info({ intervalMs }, `${options.name} started`);
      loop = run();
    },
    wake() {
      wakeRequested = true;
      wakeUp?.();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      wakeUp?.();
      await loop;
      logger.info(`${options.name} stopped`);
    },
  };
}
