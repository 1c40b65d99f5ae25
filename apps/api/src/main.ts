import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Response } from 'express';
import {
  ConfigError,
  createLogger,
  createPool,
  createQueueClient,
  retryDelaysFrom,
  createRedis,
  createTurnEventSubscriber,
  ensureDatabaseExists,
  loadConfig,
  migrate,
} from '@todo/core';
import { createApp } from './app.js';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

async function main(): Promise<void> {
  const config = loadConfig(process.env, version);
  const logger = createLogger({ level: config.logLevel, name: 'api' });
  if (config.isDefaultDatabase) await ensureDatabaseExists(config.databaseUrl, logger);
  const db = createPool({ connectionString: config.databaseUrl, max: config.databasePoolMax, logger, applicationName: 'todo-api' });
  await migrate(db, logger);
  const redis = createRedis({ url: config.redisUrl, logger, name: 'api' });

  const queue = createQueueClient({ connection: redis, prefix: config.redisKeyPrefix, retryDelayMs: retryDelaysFrom(config), logger });
  const events = await createTurnEventSubscriber(createRedis({ url: config.redisUrl, logger, name: 'api-events', maxRetriesPerRequest: null }), config.redisKeyPrefix);
  const openStreams = new Set<Response>();
  const app = createApp({ config, logger, db, redis, queue, events, openStreams, sseHeartbeatMs: 15_000 });
  let isStopping = false;
  // While stopping, answers tell keep-alive clients not to reuse the connection.
  const server: Server = createServer((req, res) => {
    if (isStopping) res.setHeader('Connection', 'close');
    app(req, res);
  });
  server.listen(config.port, () => {
    logger.info({ port: config.port, env: config.appEnv, version }, 'api listening');
    // PM2 (wait_ready) starts the next instance of a rolling reload only after this.
    process.send?.('ready');
  });
  // Behind a proxy, idle keep-alive sockets must outlive the proxy's, or requests race a closing socket.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const stop = (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const forced = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    forced.unref();
    server.close(async () => {
      await events.close();
      await queue.close().catch(() => undefined);
      await Promise.allSettled([db.end(), redis.quit()]);
      logger.info('shutdown complete');
      process.exit(0);
    });
    server.closeIdleConnections();
    // Event streams never end on their own: tell each client to reconnect (to another replica) and close.
    for (const res of openStreams) {
      res.write(': server shutting down, reconnect with Last-Event-ID\n\n');
      res.end();
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`api failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
