import { readdir } from 'node:fs/promises';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '@todo/core';
import { HttpClient, randomIp } from './support/http-client.js';
import { startPrivateRedis, tcpGate, type PrivateRedis, type TcpGate } from './support/outages.js';
import { createTestDatabase, SERVER_URL, testRedisPrefix } from './support/postgres.js';
import { freePort, startProcess, type RunningProcess } from './support/processes.js';
import { waitFor } from './support/wait.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function startBoth(env: Record<string, string>): { api: RunningProcess; worker: RunningProcess } {
  const api = startProcess('apps/api/dist/main.js', env);
  const worker = startProcess('apps/worker/dist/main.js', env);
  cleanups.push(async () => {
    api.child.kill('SIGKILL');
    worker.child.kill('SIGKILL');
  });
  return { api, worker };
}

/** Waits for "api started" (bound to its port) and returns how long /health then took to answer, and its answer. */
async function firstHealth(api: RunningProcess, http: HttpClient) {
  await api.waitForLine(/"api started/, 30_000);
  const startedAt = Date.now();
  const health = await http.get('/health');
  return { ...health, elapsedMs: Date.now() - startedAt };
}

const register = (http: HttpClient) =>
  http.post('/api/auth/register', {
    body: { email: `outage.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`, password: 'correct horse battery', name: 'Ada' },
    headers: { 'x-forwarded-for': randomIp() },
  });

/** The whole product once the dependency is back: sign up, chat through the worker, see the task. */
async function expectEverythingWorks(http: HttpClient) {
  const health = await waitFor(async () => {
    const res = await http.get('/health');
    return res.status === 200 && res.body;
  }, 'a healthy /health', 30_000);
  expect(health).toMatchObject({ status: 'healthy', database: 'connected', redis: 'connected' });
  const user = await register(http);
  expect(user.status).toBe(201);
  const token = user.body.access_token as string;
  const userId = user.body.user.id as string;
  const chat = await http.post(`/api/${userId}/chat`, { token, body: { message: 'Add a task to buy milk' }, headers: { prefer: 'wait=30' } });
  expect(chat.status).toBe(200);
  expect(chat.body.tool_calls[0].result.task.title).toMatch(/buy milk/i);
  const tasks = await http.get(`/api/${userId}/tasks`, { token });
  expect(tasks.body.tasks.map((t: { title: string }) => t.title)).toEqual([chat.body.tool_calls[0].result.task.title]);
}

function expectOutageProblem(res: { status: number; headers: Headers; body: { status?: number } }) {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(res.body.status).toBe(503);
}

describe('a start without a dependency', () => {
  it('without Redis: the api answers at once (503 naming redis), the worker waits; when Redis comes up everything works without a restart', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const redisPort = await freePort();
    const port = await freePort();
    const { api, worker } = startBoth({
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_KEY_PREFIX: testRedisPrefix(),
      PORT: String(port),
    });
    const http = new HttpClient(`http://127.0.0.1:${port}`);

    const health = await firstHealth(api, http);
    expect(health.elapsedMs).toBeLessThan(2_000);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unhealthy', redis: 'unreachable' });
    // Postgres is there: once the start-up migration check ran, only Redis is named missing.
    await waitFor(async () => {
      const res = await http.get('/health');
      return res.status === 503 && res.body.database === 'connected' && res.body.redis === 'unreachable';
    }, 'a /health naming only redis');
    expectOutageProblem(await register(http));
    expect((await http.get('/openapi.json')).status).toBe(200);

    await worker.waitForLine(/ECONNREFUSED 127\.0\.0\.1:\d+/);
    await worker.waitForLine(/"waiting for Redis before taking jobs"/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(worker.child.exitCode).toBeNull();
    expect(api.child.exitCode).toBeNull();

    let redis: PrivateRedis | undefined = await startPrivateRedis(redisPort);
    cleanups.push(() => redis!.stop());
    await expectEverythingWorks(http);

    // And again after Redis goes away while both run, then returns.
    await redis.stop();
    await waitFor(async () => (await http.get('/health')).status === 503, 'an unhealthy /health');
    expectOutageProblem(await register(http));
    redis = await startPrivateRedis(redisPort);
    await expectEverythingWorks(http);
    expect(worker.child.exitCode).toBeNull();
  }, 120_000);

  it('without Postgres: the api answers at once (503 naming the database), the worker retries with a log line; when it answers, migrations run and everything works', async () => {
    const database = await createTestDatabase({ isEmpty: true });
    cleanups.push(database.drop);
    const server = new URL(SERVER_URL);
    const gate: TcpGate = tcpGate(await freePort(), { host: server.hostname, port: Number(server.port || 5432) });
    cleanups.push(() => gate.close());
    const gatedUrl = new URL(database.url);
    gatedUrl.port = String(gate.port);
    const port = await freePort();
    const { api, worker } = startBoth({ DATABASE_URL: gatedUrl.toString(), REDIS_KEY_PREFIX: testRedisPrefix(), PORT: String(port) });
    const http = new HttpClient(`http://127.0.0.1:${port}`);

    const health = await firstHealth(api, http);
    expect(health.elapsedMs).toBeLessThan(2_000);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unhealthy', database: 'unreachable', redis: 'connected' });
    expectOutageProblem(await register(http));

    await worker.waitForLine(/database not reachable; retrying/);
    await api.waitForLine(/database not reachable; retrying/);
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output.some((line) => line.includes('"worker ready"'))).toBe(false);
    expect(api.output.some((line) => line.includes('"api listening"'))).toBe(false);

    await gate.open();
    await expectEverythingWorks(http);
    await worker.waitForLine(/"worker ready"/);
    await api.waitForLine(/"api listening"/);
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql'));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual(files.map((f) => Number(f.slice(0, 4))).sort((a, b) => a - b));
    } finally {
      await client.end();
    }
    // Applied once between the two processes.
    expect([...api.output, ...worker.output].filter((l) => l.includes('"applied migration"'))).toHaveLength(files.length);
  }, 120_000);
});

describe('a stop after a dependency went away', () => {
  // PM2 stops its apps together: the embedded redis-server can be gone before the worker has
  // closed its BullMQ connections. Waiting on a Redis that will not come back must not turn a
  // clean stop into the shutdown deadline's exit 1.
  it('Redis stopped first: SIGTERM still stops the api and the worker cleanly (exit 0, "worker stopped")', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const redisPort = await freePort();
    const redis = await startPrivateRedis(redisPort);
    cleanups.push(() => redis.stop());
    const port = await freePort();
    const { api, worker } = startBoth({
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_KEY_PREFIX: testRedisPrefix(),
      PORT: String(port),
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    const http = new HttpClient(`http://127.0.0.1:${port}`);
    await api.waitForLine(/"api started/, 30_000);
    await expectEverythingWorks(http);
    await worker.waitForLine(/"worker ready"/);

    await redis.stop();
    await worker.waitForLine(/ECONNREFUSED|Connection is closed|"redis connection lost"/);
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await worker.waitForExit(30_000)).toEqual({ code: 0, signal: null });
    expect(await api.waitForExit(30_000)).toEqual({ code: 0, signal: null });
    expect(worker.output.some((line) => line.includes('"worker stopped"'))).toBe(true);
    expect(worker.output.some((line) => line.includes('shutdown timed out'))).toBe(false);
  }, 120_000);
});
