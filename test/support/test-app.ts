import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  createLogger,
  createPool,
  createQueueClient,
  retryDelaysFrom,
  createRedis,
  createTokenVersionCache,
  createTurnEventSubscriber,
  loadConfig,
  type Config,
  type Logger,
  type Pool,
  type QueueClient,
  type Redis,
  type TokenVersionCache,
} from '@todo/core';
import { createServer } from 'node:http';
import { createApp } from '../../apps/api/src/app.js';
import type { RouteDispatcher } from '../../apps/api/src/http/route.js';
import { createTestDatabase, testRedisPrefix } from './postgres.js';
import { HttpClient } from './http-client.js';

export interface TestApp {
  baseUrl: string;
  http: HttpClient;
  /** The app's request listener itself (the route dispatcher), to read what it serves. */
  app: RouteDispatcher;
  config: Config;
  db: Pool;
  redis: Redis;
  queue: QueueClient;
  logger: Logger;
  tokenVersions: TokenVersionCache;
  /** Every JSON line the app logged so far. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * The real API (createApp) on a random port, against its own fresh database and its own Redis
 * key prefix, with logs captured in memory.
 */
export async function startTestApp(env: Record<string, string> = {}, options: { sseHeartbeatMs?: number; port?: number } = {}): Promise<TestApp> {
  // A DATABASE_URL in env shares another app's database (a second API process); it is not dropped here.
  const database = env.DATABASE_URL ? { url: env.DATABASE_URL, drop: async () => undefined } : await createTestDatabase();
  const config = loadConfig({
    APP_ENV: 'test',
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '5',
    REDIS_KEY_PREFIX: testRedisPrefix(),
    LOG_LEVEL: 'info',
    // Every registration mails a verification link: keep the tests' .eml files out of the developer's var/outbox.
    OUTBOX_DIR: join(tmpdir(), 'todo-test-outbox'),
    ...env,
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level: config.logLevel, name: 'api', destination });
  const db = createPool({ connectionString: config.databaseUrl, max: config.databasePoolMax, logger });
  const redis = createRedis({ url: config.redisUrl, logger, name: 'test-api' });
  const queue = createQueueClient({ connection: redis, prefix: config.redisKeyPrefix, retryDelayMs: retryDelaysFrom(config), logger });
  const events = await createTurnEventSubscriber(
    createRedis({ url: config.redisUrl, logger, name: 'test-api-events', maxRetriesPerRequest: null }),
    config.redisKeyPrefix,
  );
  const tokenVersions = createTokenVersionCache({ connectionString: config.databaseUrl, logger, pool: db });
  await tokenVersions.whenListening();
  const app = createApp({
    config,
    logger,
    db,
    redis,
    queue,
    events,
    openStreams: new Set(),
    sseHeartbeatMs: options.sseHeartbeatMs ?? 15_000,
    tokenVersions,
  });
  const server = createServer(app).listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    http: new HttpClient(baseUrl),
    app,
    config,
    db,
    redis,
    queue,
    logger,
    tokenVersions,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await events.close();
      await tokenVersions.close();
      await queue.close();
      // A prefix passed in env belongs to another app (a second API process): leave its keys alone.
      if (!env.REDIS_KEY_PREFIX) await deleteKeys(redis, `${config.redisKeyPrefix}:*`);
      await Promise.allSettled([db.end(), redis.quit()]);
      await database.drop();
    },
  };
}

export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
