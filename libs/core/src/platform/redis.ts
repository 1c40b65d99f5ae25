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

/**
 * Closes a Redis client: QUIT when connected (pending replies arrive first), else a plain
 * disconnect, since QUIT would wait in the offline queue for a Redis that may never answer.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => undefined);
  else redis.disconnect();
}

/** Entries per XRANGE page of an event stream: a full page means there may be more. */
export const STREAM_PAGE = 500;

/** One entry of an event stream as publishTurnEvent and publishTaskChanges write it: ['event', <name>, 'data', <json>]. */
export interface StreamEntryEvent {
  /** The entry id, `<ms>-<seq>`: the SSE id, so Last-Event-ID resumes right after it. */
  id: string;
  event: string;
  data: unknown;
}

/** Parses XRANGE/XREVRANGE entries written as ['event', <name>, 'data', <json>]. */
export function parseStreamEntries(entries: [id: string, fields: string[]][]): StreamEntryEvent[] {
  return entries.map(([id, fields]) => {
    const values: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) values[fields[i]!] = fields[i + 1]!;
    return { id, event: values.event ?? 'message', data: JSON.parse(values.data ?? 'null') as unknown };
  });
}
