import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The service's Redis connection, shared by the queue and duplicated by the worker. BullMQ needs
 * `maxRetriesPerRequest: null`: commands wait for a reconnect instead of failing, so an
 * `order.created` stays unacked until its job is stored.
 */
export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: 'expiration',
    // After disconnect() ioredis waits this long for a socket to close, even one already dead.
    disconnectTimeout: 500,
  });
  const log = logger.child({ component: 'redis' });
  // ioredis reports every failed reconnect; one warning per outage is enough.
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) log.debug({ err }, 'redis still unreachable');
    else log.warn({ err }, 'redis unreachable; reconnecting');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info('redis connection restored');
    down = false;
  });
  return redis;
}

/**
 * Whether an error only says that Redis cannot be reached (the shared connection reports those
 * once), as opposed to a command or script failing.
 */
export function isRedisConnectionError(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || /connection is closed/i.test(err.message);
}

/** Readiness: fails at once when the connection is not up (a queued PING would wait for it). */
export async function pingRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`redis connection is ${redis.status}`);
  await redis.ping();
}

/** Closes the connection: politely when it is up, at once otherwise. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit();
  else redis.disconnect();
}
