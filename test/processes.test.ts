import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createPool, migrate, MIGRATIONS_DIR, type Pool } from '@todo/core';
import { createTestDatabase, testRedisPrefix } from './support/postgres.js';
import { freePort, startProcess } from './support/processes.js';

const silent = createLogger({ level: 'silent' });

/** The numbers of the migration files, ascending (numbers may have gaps). */
async function migrationIds(): Promise<number[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql'));
  return files.map((f) => Number(f.slice(0, 4))).sort((a, b) => a - b);
}

async function countMigrations(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: number; n: number }>(
      'SELECT id, count(*)::int AS n FROM schema_migrations GROUP BY id ORDER BY id',
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe('api and worker processes', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase({ isEmpty: true });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('start together on an empty database, migrate it once, serve, and stop cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = { DATABASE_URL: database.url, PORT: String(port), REDIS_KEY_PREFIX: testRedisPrefix(), LOG_LEVEL: 'info' };
    const api = startProcess('apps/api/dist/main.js', env);
    const worker = startProcess('apps/worker/dist/main.js', env);
    try {
      await api.waitForLine(/"api listening"/);
      await worker.waitForLine(/"worker ready"/);
      const ids = await migrationIds();
      expect(await countMigrations(database.url)).toEqual(ids.map((id) => ({ id, n: 1 })));
      const applied = [...api.output, ...worker.output].filter((l) => l.includes('"applied migration"'));
      expect(applied).toHaveLength(ids.length);

      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);

      api.child.kill('SIGTERM');
      worker.child.kill('SIGTERM');
      expect(await api.waitForExit()).toEqual({ code: 0, signal: null });
      expect(await worker.waitForExit()).toEqual({ code: 0, signal: null });
      expect(api.output.some((l) => l.includes('"shutdown complete"'))).toBe(true);
      expect(worker.output.some((l) => l.includes('"worker stopped"'))).toBe(true);
    } finally {
      api.child.kill('SIGKILL');
      worker.child.kill('SIGKILL');
    }
  });

  it('refuse to start in production without secrets, listing every problem at once, and exit non-zero', async () => {
    for (const script of ['apps/api/dist/main.js', 'apps/worker/dist/main.js']) {
      const proc = startProcess(script, { APP_ENV: 'production', JWT_SECRET_KEY: 'too-short', SMTP_PASSWORD: 'hunter2-smtp' });
      const { code } = await proc.waitForExit();
      expect(code).toBe(1);
      const output = proc.output.join('\n');
      expect(output).toContain('Invalid configuration (4 problems)');
      for (const name of ['JWT_SECRET_KEY', 'DATABASE_URL', 'SMTP_HOST', 'SMTP_FROM_EMAIL']) expect(output).toContain(name);
      expect(output).not.toContain('too-short');
      expect(output).not.toContain('hunter2-smtp');
    }
  });
});

describe('migrations', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pools: Pool[];
  beforeAll(async () => {
    database = await createTestDatabase({ isEmpty: true });
    pools = Array.from({ length: 4 }, () => createPool({ connectionString: database.url, max: 2, logger: silent }));
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await database.drop();
  });

  it('four concurrent runs apply each migration exactly once', async () => {
    const results = await Promise.all(pools.map((pool) => migrate(pool, silent)));
    const ids = await migrationIds();
    expect(results.flat().sort((a, b) => a - b)).toEqual(ids);
    expect(await countMigrations(database.url)).toEqual(ids.map((id) => ({ id, n: 1 })));
    expect(await migrate(pools[0]!, silent)).toEqual([]);
  });

  it('refuses to run when an applied migration was edited, and applies a new one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
      const next = String(files.length + 1).padStart(4, '0');
      await writeFile(join(dir, `${next}_add_probe.sql`), 'CREATE TABLE probe (id int);');
      expect(await migrate(pools[0]!, silent, dir)).toEqual([files.length + 1]);

      await writeFile(join(dir, files[0]!), '-- edited\nSELECT 1;');
      await expect(migrate(pools[0]!, silent, dir)).rejects.toThrow(/was edited after it was applied/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a failing migration leaves no trace and reports which one failed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    const fresh = await createTestDatabase({ isEmpty: true });
    const pool = createPool({ connectionString: fresh.url, max: 1, logger: silent });
    try {
      await writeFile(join(dir, '0001_good.sql'), 'CREATE TABLE good (id int);');
      await writeFile(join(dir, '0002_bad.sql'), 'CREATE TABLE bad (id int); SELECT no_such_function();');
      await expect(migrate(pool, silent, dir)).rejects.toThrow(/migration 2_bad failed/);
      const { rows } = await pool.query("SELECT to_regclass('bad') AS bad, to_regclass('good') AS good");
      expect(rows[0]).toEqual({ bad: null, good: 'good' });
    } finally {
      await pool.end();
      await fresh.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
