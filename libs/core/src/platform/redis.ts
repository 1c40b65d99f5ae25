import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

export type { Redis };

export interface CreateRedisOptions {
  url: string;
  logger: Logger;
  /** Label in logs and CLIENT LIST. */
  name: string;
  /**
   * BullMQ workers need null (block forever, retry forever); request-path clients fail a
   * command after this many reconnect attempts so a request gets a clear error instead of hanging.
   */
  maxRetriesPerRequest?: number | null;
}

export function createRedis({ url, logger, name, maxRetriesPerRequest = 2 }: CreateRedisOptions): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let lastLoggedAt = 0;
  redis.on('error', (error) => {
    // A down Redis emits an error per reconnect attempt; one line every 10 s is enough.
    const now = Date.now();
    if (now - lastLoggedAt < 10_000) return;
    lastLoggedAt = now;
    logger.error({ err: error, redis: name }, 'redis connection error');
  });
  return redis;
}
