import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { HttpClient, registerUser } from './support/http-client.js';
import { RUN_ENV, uniqueName, withAdminClient } from './support/postgres.js';
import { freePort, startProcess, type RunningProcess } from './support/processes.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A database name nobody created yet, dropped after the test whatever happened. */
function newDatabaseName(): string {
  const name = uniqueName(`todo_test_${inject(RUN_ENV)}_dev`);
  cleanups.push(() => withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
  return name;
}

const databaseExists = (name: string) =>
  withAdminClient(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);

function track(process: RunningProcess): RunningProcess {
  cleanups.push(async () => process.child.kill('SIGKILL'));
  return process;
}

describe('the database named by DATABASE_URL', () => {
  it('in development on the local server, is created when missing, even by the api and the worker starting together', async () => {
    const name = newDatabaseName();
    expect(await databaseExists(name)).toBe(false);
    const port = await freePort();
    const env = { DATABASE_URL: `postgres://postgres@localhost:5432/${name}`, PORT: String(port), REDIS_KEY_PREFIX: uniqueName('t_dev'), LOG_LEVEL: 'info' };
    const api = track(startProcess('apps/api/dist/main.js', env));
    const worker = track(startProcess('apps/worker/dist/main.js', env));
    await api.waitForLine(/"api listening"/, 30_000);
    await worker.waitForLine(/"worker ready"/, 30_000);
    expect(await databaseExists(name)).toBe(true);
    expect([...api.output, ...worker.output].filter((l) => l.includes('"created database"'))).toHaveLength(1);
    expect([...api.output, ...worker.output].filter((l) => l.includes('"level":"fatal"'))).toEqual([]);

    const user = await registerUser(new HttpClient(`http://127.0.0.1:${port}`));
    const task = await new HttpClient(`http://127.0.0.1:${port}`).post(`/api/${user.id}/tasks`, { token: user.accessToken, body: { title: 'Water the plants' } });
    expect(task.status).toBe(201);
    expect(api.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
  }, 90_000);

  it('in production, is never created: the process says the database does not exist and exits non-zero', async () => {
    const name = newDatabaseName();
    const api = track(
      startProcess('apps/api/dist/main.js', {
        APP_ENV: 'production',
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${name}`,
        PORT: String(await freePort()),
        REDIS_KEY_PREFIX: uniqueName('t_dev'),
        JWT_SECRET_KEY: randomBytes(32).toString('hex'),
        SMTP_HOST: '127.0.0.1',
        SMTP_FROM_EMAIL: 'no-reply@example.com',
      }),
    );
    const { code } = await api.waitForExit(30_000);
    expect(code).toBe(1);
    const fatal = api.output.find((line) => line.includes('"level":"fatal"'));
    expect(JSON.parse(fatal!).err.message).toBe(`database "${name}" does not exist`);
    expect(await databaseExists(name)).toBe(false);
  }, 90_000);
});
