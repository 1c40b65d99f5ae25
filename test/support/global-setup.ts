import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../libs/core/src/platform/logger.js';
import { migrate, readMigrations } from '../../libs/core/src/platform/db/migrate.js';
import { createPool } from '../../libs/core/src/platform/db/pool.js';
import { databaseUrl, RUN_ENV, TEMPLATE_ENV, withAdminClient } from './postgres.js';

const STALE_AFTER_MS = 2 * 60 * 60 * 1000;

/**
 * Migrates one template database per version of the migrations; every test file clones it
 * (CREATE DATABASE ... TEMPLATE), which is much faster than migrating each time. Leftover
 * databases of runs that crashed more than two hours ago are dropped first.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const migrations = await readMigrations();
  const digest = createHash('sha256').update(migrations.map((m) => m.checksum).join()).digest('hex').slice(0, 12);
  const template = `todo_tpl_${digest}`;
  const run = Date.now().toString(36);
  await withAdminClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'todo_test_%'");
    for (const { datname } of rows) {
      const startedAt = parseInt(datname.split('_')[2] ?? '', 36);
      if (!(Date.now() - startedAt < STALE_AFTER_MS)) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${template}"`);
      const pool = createPool({ connectionString: databaseUrl(template), max: 1, logger: createLogger({ level: 'silent' }) });
      try {
        await migrate(pool, createLogger({ level: 'silent' }));
      } catch (error) {
        await pool.end();
        await client.query(`DROP DATABASE "${template}" WITH (FORCE)`);
        throw error;
      }
      await pool.end();
    }
  });
  project.provide(TEMPLATE_ENV, template);
  project.provide(RUN_ENV, run);
  return async () => {
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `t_${run}_*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
    await withAdminClient(async (client) => {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
        `todo\\_test\\_${run}\\_%`,
      ]);
      for (const row of rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    });
  };
}
