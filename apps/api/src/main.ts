import { createServer } from 'node:http';
import type { Response } from 'express';
import { bootProcess, createRedis, createTokenVersionCache, createTurnEventSubscriber, onShutdownSignal, runMain, SERVICE_VERSION } from '@todo/core';
import { createApp } from './app.js';

/**
 * The API process. Shutdown: stop accepting, mark answers `Connection: close`, finish in-flight
 * requests, end event streams with a reconnect hint, then close connections.
 */
async function main(): Promise<void> {
  const { config, logger, db, redis, queue } = await bootProcess({ name: 'api' });
  const events = await createTurnEventSubscriber(
    createRedis({ url: config.redisUrl, logger, name: 'api-events', maxRetriesPerRequest: null }),
    config.redisKeyPrefix,
  );
  const openStreams = new Set<Response>();
  const tokenVersions = createTokenVersionCache({ connectionString: config.databaseUrl, logger, pool: db });
  const app = createApp({ config, logger, db, redis, queue, events, openStreams, sseHeartbeatMs: 15_000, tokenVersions });
  let isStopping = false;
  // While stopping, answers tell keep-alive clients not to reuse the connection.
  const server = createServer((req, res) => {
    if (isStopping) res.setHeader('Connection', 'close');
    app(req, res);
  });
  // Behind a proxy, idle keep-alive sockets must outlive the proxy's, or requests race a closing socket.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.listen(config.port, () => {
    logger.info({ port: config.port, env: config.appEnv, version: SERVICE_VERSION }, 'api listening');
    // PM2 (wait_ready) starts the next instance of a rolling reload only after this.
    process.send?.('ready');
  });

  onShutdownSignal(logger, config.shutdownTimeoutMs, (signal) => {
    isStopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    server.close(async () => {
      await events.close();
      await tokenVersions.close();
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
  });
}

runMain('api', main);
