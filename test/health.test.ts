import net, { type AddressInfo, type Socket } from 'node:net';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  createPool,
  createQueueClient,
  createRedis,
  createTurnEventSubscriber,
  loadConfig,
  retryDelaysFrom,
  settleWithin,
  type Pool,
  type Redis,
} from '@todo/core';
import { createApp } from '../apps/api/src/app.js';
import { registerUser } from './support/http-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

/** A port nothing listens on: bound by us, read, released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP server that accepts connections and never writes a byte: a hung Postgres or Redis. */
async function hangingServer() {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The real app over the given Postgres pool and Redis client (its queue client uses that Redis too),
 * on a random port. Closes its HTTP server and queue client; the pool and Redis client are the caller's.
 */
async function serveApp(db: Pool, redis: Redis) {
  const config = loadConfig({
    APP_ENV: 'test',
    DATABASE_URL: app.config.databaseUrl,
    REDIS_KEY_PREFIX: app.config.redisKeyPrefix,
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger({ level: 'silent' });
  const queue = createQueueClient({ connection: redis, prefix: config.redisKeyPrefix, retryDelayMs: retryDelaysFrom(config), logger });
  // BullMQ prints connection errors to the console when nobody listens; the broken Redis is on purpose here.
  for (const q of Object.values(queue.queues)) q.on('error', () => undefined);
  // Turn events are not involved in health; they listen on the working shared Redis.
  const events = await createTurnEventSubscriber(createRedis({ url: config.redisUrl, logger, name: 'health-events' }), config.redisKeyPrefix);
  const server: Server = createServer(createApp({ config, logger, db, redis, queue, events, openStreams: new Set(), sseHeartbeatMs: 15_000 })).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      // Over a dead or hung Redis, closing the queues may never finish; do not wait for it.
      await settleWithin(queue.close(), 1000, undefined);
      await events.close();
    },
  };
}

/** GET /health, failing (AbortError) if it takes 3 seconds; also returns how long it took. */
async function getHealth(baseUrl: string) {
  const startedAt = performance.now();
  const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(3000) });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body, elapsedMs: performance.now() - startedAt };
}

const silent = createLogger({ level: 'silent' });

describe('GET /health', () => {
  it('is 200 healthy when Postgres and Redis answer', async () => {
    const res = await app.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({
      status: 'healthy',
      version: app.config.version,
      database: 'connected',
      redis: 'connected',
      smtp: 'outbox',
    });
    expect(typeof res.body.version).toBe('string');
    expect(res.body.version.length).toBeGreaterThan(0);
  });

  it('needs no access token', async () => {
    const res = await app.http.get('/health', { headers: { authorization: 'Bearer not-a-token' } });
    expect(res.status).toBe(200);
  });

  it('reports smtp "configured" when SMTP_HOST is set', async () => {
    const withSmtp = await startTestApp({ SMTP_HOST: 'smtp.example.com', SMTP_FROM_EMAIL: 'no-reply@example.com' });
    try {
      const res = await withSmtp.http.get('/health');
      expect(res.status).toBe(200);
      expect(res.body.smtp).toBe('configured');
    } finally {
      await withSmtp.close();
    }
  });
});

describe('GET /health with a dependency down', () => {
  it('unreachable Redis: 503 unhealthy, redis unreachable, database still connected', async () => {
    const port = await closedPort();
    const redis = createRedis({ url: `redis://127.0.0.1:${port}`, logger: silent, name: 'health-test-closed' });
    const served = await serveApp(app.db, redis);
    try {
      const res = await getHealth(served.url);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'unhealthy', redis: 'unreachable', database: 'connected', smtp: 'outbox' });
      expect(res.elapsedMs).toBeLessThan(1000);
    } finally {
      await served.close();
      redis.disconnect();
    }
  });

  it('unreachable Postgres: 503 unhealthy, database unreachable, redis still connected', async () => {
    const port = await closedPort();
    const db = createPool({ connectionString: `postgres://postgres@127.0.0.1:${port}/todo`, max: 2, logger: silent });
    const served = await serveApp(db, app.redis);
    try {
      const res = await getHealth(served.url);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'unhealthy', database: 'unreachable', redis: 'connected' });
      expect(res.elapsedMs).toBeLessThan(1000);
    } finally {
      await served.close();
      await db.end();
    }
  });

  it('hanging Postgres (accepts, never answers): still answers within a second, 503 database unreachable', async () => {
    const hung = await hangingServer();
    const db = createPool({ connectionString: `postgres://postgres@127.0.0.1:${hung.port}/todo`, max: 2, logger: silent });
    const served = await serveApp(db, app.redis);
    try {
      for (let i = 0; i < 2; i++) {
        const res = await getHealth(served.url);
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ status: 'unhealthy', database: 'unreachable', redis: 'connected' });
        expect(res.elapsedMs).toBeLessThan(1000);
      }
      // The check really reached the hung server (it did not fail fast on a refused connection).
      expect(hung.accepted()).toBeGreaterThan(0);
    } finally {
      await served.close();
      await hung.close();
      await db.end();
    }
  });

  it('hanging Redis (accepts, never replies): still answers within a second, 503 redis unreachable', async () => {
    const hung = await hangingServer();
    const redis = createRedis({ url: `redis://127.0.0.1:${hung.port}`, logger: silent, name: 'health-test-hung' });
    const served = await serveApp(app.db, redis);
    try {
      for (let i = 0; i < 2; i++) {
        const res = await getHealth(served.url);
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ status: 'unhealthy', redis: 'unreachable', database: 'connected' });
        expect(res.elapsedMs).toBeLessThan(1000);
      }
      expect(hung.accepted()).toBeGreaterThan(0);
    } finally {
      await served.close();
      redis.disconnect();
      await hung.close();
    }
  });

  it('both down at once: one 503 naming both, still within a second', async () => {
    const hung = await hangingServer();
    const port = await closedPort();
    const db = createPool({ connectionString: `postgres://postgres@127.0.0.1:${hung.port}/todo`, max: 2, logger: silent });
    const redis = createRedis({ url: `redis://127.0.0.1:${port}`, logger: silent, name: 'health-test-both' });
    const served = await serveApp(db, redis);
    try {
      const res = await getHealth(served.url);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'unhealthy', database: 'unreachable', redis: 'unreachable' });
      expect(res.elapsedMs).toBeLessThan(1000);
    } finally {
      await served.close();
      redis.disconnect();
      await hung.close();
      await db.end();
    }
  });

  it('the shared app is still healthy afterwards', async () => {
    const res = await app.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('healthy');
  });
});

describe('requests while a dependency is down', () => {
  it('Redis unreachable: rate-limited auth routes answer 503 with Retry-After, never 500, and change nothing', async () => {
    const port = await closedPort();
    const redis = createRedis({ url: `redis://127.0.0.1:${port}`, logger: silent, name: 'outage-test-redis' });
    const served = await serveApp(app.db, redis);
    try {
      const email = `outage.${Date.now()}@example.com`;
      const res = await fetch(`${served.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'outage-password', name: 'Outage' }),
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await res.json()) as { detail: string };
      expect(body.detail).toMatch(/unavailable right now/);
      const { rows } = await app.db.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email]);
      expect(rows[0].n).toBe(0);
    } finally {
      await served.close();
      redis.disconnect();
    }
  });

  it('Postgres unreachable: an authenticated request answers 503, not 500', async () => {
    const port = await closedPort();
    const db = createPool({ connectionString: `postgres://postgres@127.0.0.1:${port}/none`, logger: silent });
    const served = await serveApp(db, app.redis);
    try {
      const user = await registerUser(app.http);
      const res = await fetch(`${served.url}/api/${user.id}/tasks`, {
        headers: { authorization: `Bearer ${user.accessToken}` },
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await served.close();
      await db.end();
    }
  });
});
