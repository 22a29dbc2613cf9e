import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The service's Redis connection, shared by the queue and duplicated by the worker. BullMQ needs
 * `maxRetriesPerRequest: null`: commands wait for a reconnect instead of failing, so an
 * `order.created` stays unacked until its job is stored.
 */
export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: 'expiration' });
  const log = logger.child({ component: 'redis' });
  redis.on('error', (err: Error) => log.warn({ err }, 'redis connection error'));
  return redis;
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
