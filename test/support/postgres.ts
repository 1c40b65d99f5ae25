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
