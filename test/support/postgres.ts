import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The local server the tests use; override with TEST_POSTGRES_URL (a URL to any database on the server). */
export const SERVER_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEMPLATE_ENV = 'templateDatabase';
/** Names this run's databases (todo_test_<run>_...), so concurrent runs never drop each other's. */
export const RUN_ENV = 'testRun';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    testRun: string;
  }
}

export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** A new database of its own for one test file: a copy of the migrated template, or empty. */
export async function createTestDatabase(options: { isEmpty?: boolean } = {}) {
  const name = uniqueName(`todo_test_${inject(RUN_ENV)}`);
  const template = options.isEmpty ? 'template0' : inject(TEMPLATE_ENV);
  if (!template) throw new Error('global setup did not prepare the template database');
  await withAdminClient((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

/** A Redis key prefix for one test's data, scoped to this run so the global teardown can delete it. */
export function testRedisPrefix(): string {
  return uniqueName(`t_${inject(RUN_ENV)}`);
}

/**
 * Transactions committed in the database of `databaseUrl` during `windowMs`, read from
 * pg_stat_database on a connection of its own to the server's `postgres` database (which commits
 * nothing in the measured one). Backends report their counts at most once a second, so it first
 * waits `settleMs` for what came before to show. Returns the count and the window's real length.
 */
export async function commitsDuring(databaseUrl: string, windowMs: number, settleMs = 1_500): Promise<{ commits: number; elapsedMs: number }> {
  const database = new URL(databaseUrl).pathname.slice(1);
  const stats = new pg.Client({ connectionString: SERVER_URL });
  await stats.connect();
  try {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const read = async () => Number((await stats.query('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [database])).rows[0].xact_commit);
    const before = await read();
    const startedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    return { commits: (await read()) - before, elapsedMs: Date.now() - startedAt };
  } finally {
    await stats.end();
  }
}

/**
 * Makes Postgres refuse the writes `timing` (e.g. 'BEFORE UPDATE ON chat_turns') that `when`
 * matches, as an outage would for those statements: a trigger `name` raising an exception.
 * Resolves to the function that drops it again (safe to call more than once).
 */
export async function refuseWrites(db: Pick<pg.Pool, 'query'>, name: string, timing: string, when: string): Promise<() => Promise<void>> {
  const table = timing.replace(/^.* ON /i, '');
  await db.query(`
    CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '${name}: refused by the test'; END $$;
    CREATE TRIGGER ${name} ${timing} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${name}();`);
  return async () => {
    await db.query(`DROP TRIGGER IF EXISTS ${name} ON ${table}`);
  };
}
