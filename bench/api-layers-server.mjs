// The api as main.ts builds it (same createApp, token-version cache, pool), for the per-layer
// costs of `npm run bench:rest` only: a message {skip: [names]} over IPC takes those layers out of
// the route dispatcher's list (app.layers) until the next message. Not for production.
// Env: as apps/api/dist/main.js (PORT, DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, LOG_LEVEL ...).
import { createServer } from 'node:http';
import { bootProcess, createRedis, createTokenVersionCache, createTurnEventSubscriber } from '@todo/core';
import { createApp } from '../apps/api/dist/app.js';

const { config, logger, db, redis, queue } = await bootProcess({ name: 'api' });
const events = await createTurnEventSubscriber(
  createRedis({ url: config.redisUrl, logger, name: 'api-events', maxRetriesPerRequest: null }),
  config.redisKeyPrefix,
);
const tokenVersions = createTokenVersionCache({ connectionString: config.databaseUrl, logger, pool: db });
await tokenVersions.whenListening();
const app = createApp({ config, logger, db, redis, queue, events, openStreams: new Set(), sseHeartbeatMs: 15_000, tokenVersions });
const server = createServer(app);
server.keepAliveTimeout = 65_000;
server.listen(config.port, '127.0.0.1', () => {
  const all = app.layers.slice();
  process.on('message', ({ skip }) => {
    app.layers.splice(0, app.layers.length, ...all.filter((layer) => !skip.includes(layer.name)));
    process.send({ layers: app.layers.map((layer) => layer.name) });
  });
  process.send({ ready: true, layers: all.map((layer) => layer.name) });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
