import type { Logger } from 'pino';
import { backoffDelay, type BackoffOptions } from './backoff';

/** How long start-up keeps asking JetStream before a service gives up and exits. */
export const startupPatienceMs = 60_000;

const startupBackoff: BackoffOptions = { baseMs: 250, capMs: 5_000 };

/**
 * Whether `err` says JetStream did not answer yet rather than refused: a request timed out or
 * found no responder, as while a cluster elects its leaders or a server restarts.
 */
export function isJetStreamUnanswered(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e.name === 'TimeoutError' || e.name === 'NoRespondersError') return true;
  }
  return false;
}

/**
 * Runs a start-up step against JetStream (connecting, provisioning streams or consumers) until it
 * succeeds: while JetStream does not answer it is tried again with backoff (250 ms doubling to
 * 5 s), for at most `patienceMs`; any other error, or the last one, is thrown.
 */
export async function untilJetStreamAnswers<T>(
  what: string,
  logger: Logger,
  step: () => Promise<T>,
  patienceMs = startupPatienceMs,
): Promise<T> {
  const deadline = Date.now() + patienceMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (err) {
      const delayMs = backoffDelay(attempt, startupBackoff);
      if (!isJetStreamUnanswered(err) || Date.now() + delayMs > deadline) throw err;
      logger.warn({ err, attempt, retryInMs: delayMs }, `${what}: JetStream did not answer; trying again`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
