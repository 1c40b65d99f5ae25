import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, registerUser } from './support/http-client.js';
import { createTestDatabase, testRedisPrefix } from './support/postgres.js';
import { freePort, ROOT, startProcess } from './support/processes.js';
import { openSse } from './support/sse.js';

const run = promisify(execFile);

/** One request on its own connection (no keep-alive), resolving to its status or the error's code. */
function call(port: number, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<number | string> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { host: '127.0.0.1', port, method, path, agent: false, headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end(payload);
  });
}

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('SIGTERM to the api under load', () => {
  it('finishes every in-flight request, ends open event streams with a final comment, and loses no turn', async () => {
    const port = await freePort();
    const env = { DATABASE_URL: database.url, PORT: String(port), REDIS_KEY_PREFIX: testRedisPrefix(), LOG_LEVEL: 'warn' };
    const api = startProcess('apps/api/dist/main.js', { ...env, LOG_LEVEL: 'info' });
    let worker: ReturnType<typeof startProcess> | undefined;
    try {
      await api.waitForLine(/"api listening"/);
      const user = await registerUser(new HttpClient(`http://127.0.0.1:${port}`));
      const auth = { authorization: `Bearer ${user.accessToken}` };
      // No worker yet: each chat POST waits its full 2 s, so all are in flight when SIGTERM lands.
      const chats = Array.from({ length: 30 }, (_, i) => call(port, 'POST', `/api/${user.id}/chat`, { ...auth, prefer: 'wait=2' }, { message: `Add a task to buy item ${i}` }));
      const lists = Array.from({ length: 30 }, () => call(port, 'GET', `/api/${user.id}/tasks`, auth));
      const stream = await openSse(`http://127.0.0.1:${port}/api/${user.id}/chat`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: 'Show my tasks' }),
      });
      await stream.waitFor((events) => events.length > 0);
      await new Promise((r) => setTimeout(r, 300));
      api.child.kill('SIGTERM');

      const statuses = await Promise.all([...chats, ...lists]);
      expect(statuses.filter((s) => s !== 202 && s !== 200)).toEqual([]);
      await stream.ended;
      expect(stream.comments.some((c) => c.startsWith('server shutting down'))).toBe(true);
      expect(await api.waitForExit()).toEqual({ code: 0, signal: null });

      worker = startProcess('apps/worker/dist/main.js', env);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        for (let i = 0; ; i++) {
          const { rows } = await client.query<{ status: string; n: number }>(
            'SELECT status, count(*)::int AS n FROM chat_turns WHERE user_id = $1 GROUP BY status',
            [user.id],
          );
          if (rows.length === 1 && rows[0]!.status === 'completed') {
            expect(rows[0]!.n).toBe(31);
            break;
          }
          if (i > 400) throw new Error(`turns not all completed: ${JSON.stringify(rows)}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const { rows } = await client.query('SELECT count(*)::int AS n FROM tasks WHERE user_id = $1', [user.id]);
        expect(rows[0].n).toBe(30);
      } finally {
        await client.end();
      }
    } finally {
      api.child.kill('SIGKILL');
      worker?.child.kill('SIGKILL');
    }
  }, 60_000);
});

describe('pm2 reload of the api under load', () => {
  // In afterEach, not only in the test's finally: when the test times out, vitest moves on and the
  // finally may never run, which would leave a PM2 daemon and its apps running on the machine.
  const stopDaemons: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const stop of stopDaemons.splice(0)) await stop().catch(() => undefined);
  });

  it('drops no request while both cluster instances are replaced', async () => {
    const port = await freePort();
    const pm2Home = mkdtempSync(join(tmpdir(), 'pm2-'));
    const env = {
      ...process.env,
      PM2_HOME: pm2Home,
      API_INSTANCES: '2',
      WORKER_INSTANCES: '1',
      DATABASE_URL: database.url,
      PORT: String(port),
      REDIS_KEY_PREFIX: testRedisPrefix(),
      LOG_LEVEL: 'warn',
    };
    const pm2 = (...args: string[]) => run(join(ROOT, 'node_modules/.bin/pm2'), args, { cwd: ROOT, env });
    stopDaemons.push(async () => {
      await pm2('kill');
      rmSync(pm2Home, { recursive: true, force: true });
    });
    try {
      await pm2('start', 'ecosystem.config.js');
      for (let i = 0; (await call(port, 'GET', '/health', {})) !== 200; i++) {
        if (i > 100) throw new Error('api did not come up under pm2');
        await new Promise((r) => setTimeout(r, 100));
      }
      const user = await registerUser(new HttpClient(`http://127.0.0.1:${port}`));
      const auth = { authorization: `Bearer ${user.accessToken}` };
      const results: (number | string)[] = [];
      let isLoading = true;
      const loops = Array.from({ length: 10 }, async () => {
        while (isLoading) results.push(await call(port, 'GET', `/api/${user.id}/tasks`, auth));
      });
      await new Promise((r) => setTimeout(r, 300));
      await pm2('reload', 'api');
      await new Promise((r) => setTimeout(r, 300));
      isLoading = false;
      await Promise.all(loops);
      const { stdout } = await pm2('jlist');
      const apis = (JSON.parse(stdout) as { name: string; pm2_env: { restart_time: number; unstable_restarts: number; status: string } }[]).filter((p) => p.name === 'api');
      expect(apis).toHaveLength(2);
      expect(apis.every((p) => p.pm2_env.status === 'online')).toBe(true);
      expect(results.length).toBeGreaterThan(100);
      expect(results.filter((s) => s !== 200)).toEqual([]);
    } finally {
      for (const stop of stopDaemons.splice(0)) await stop().catch(() => undefined);
    }
  }, 90_000);
});
