import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { bootProcess, closeRedis, createRedis, createTokenVersionCache, onShutdownSignal, runMain, SERVICE_VERSION, startTurnEventSubscriber } from '@todo/core';
import { createApp } from './app.js';

/**
 * The API process. It listens at once, whether or not Postgres and Redis answer yet: until they
 * do, /health says which one is missing and the routes that need it answer 503 with Retry-After;
 * migrations run and Redis clients connect as soon as each one answers, without a restart.
 * Shutdown: stop accepting, mark answers `Connection: close`, finish in-flight requests, end
 * event streams with a reconnect hint, then close connections.
 */
/** How long binding waits for the database to be ready (migrated); after that it binds anyway. */
const READY_WAIT_BEFORE_LISTEN_MS = 1_000;

async function main(): Promise<void> {
  const { config, logger, db, databaseReady, redis, queue } = bootProcess({ name: 'api' });
  const eventsConnection = createRedis({ url: config.redisUrl, logger, name: 'api-events', maxRetriesPerRequest: null });
  const events = startTurnEventSubscriber(eventsConnection, config.redisKeyPrefix);
  const openStreams = new Set<ServerResponse>();
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
  // Binding waits for the database briefly: a healthy start (and each instance of a PM2 rolling
  // reload, which gets traffic as soon as it binds) serves no 503 while migrations are checked,
  // and a start without Postgres still answers /health within 2 s.
  await Promise.race([databaseReady.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, READY_WAIT_BEFORE_LISTEN_MS))]);
  const listening = new Promise<void>((resolve) =>
    server.listen(config.port, () => {
      logger.info({ port: config.port }, 'api started: answering, /health reports what is still missing');
      resolve();
    }),
  );
  // "api listening" means serving everything: bound, and the database migrated. PM2 (wait_ready)
  // moves on in a rolling reload only then, so the old instance serves until the new one can;
  // with Postgres away, PM2's listen_timeout moves on anyway.
  void Promise.all([listening, databaseReady]).then(() => {
    logger.info({ port: config.port, env: config.appEnv, version: SERVICE_VERSION }, 'api listening');
    process.send?.('ready');
  });
  void events.subscribed.then(() => logger.info('turn events subscribed'));

  onShutdownSignal(logger, config.shutdownTimeoutMs, (signal) => {
    isStopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    server.close(async () => {
      await events.close();
      await tokenVersions.close();
      await queue.close().catch(() => undefined);
      await Promise.allSettled([db.end(), closeRedis(redis)]);
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
