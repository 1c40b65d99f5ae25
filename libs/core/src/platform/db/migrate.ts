import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.js';
import type { Pool } from './pool.js';

/** libs/core/migrations, reached from both src/platform/db and dist/platform/db. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** Arbitrary constant shared by every process of this service: the advisory lock that serialises migrations. */
const MIGRATION_LOCK_KEY = 727_001;

export interface Migration {
  id: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file ${file} must be named NNNN_snake_case.sql`);
    const sql = await readFile(`${dir}/${file}`, 'utf8');
    const checksum = createHash('sha256').update(sql).digest('hex');
    migrations.push({ id: Number(match[1]), name: match[2]!, sql, checksum });
  }
  // Numbers only increase; gaps are allowed (numbers are handed out to parallel branches ahead of their merge).
  migrations.forEach((m, i) => {
    const previous = migrations[i - 1];
    if (previous && m.id <= previous.id) throw new Error(`two migrations are numbered ${m.id}: ${previous.name} and ${m.name}`);
  });
  return migrations;
}

/**
 * Applies pending migrations, each in its own transaction, under an advisory lock so that
 * the api and the worker starting together apply each migration exactly once. A migration
 * whose file changed after it was applied stops the start: migrations are append-only.
 */
export async function migrate(pool: Pool, logger: Logger, dir = MIGRATIONS_DIR): Promise<number[]> {
  const migrations = await readMigrations(dir);
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ id: number; checksum: string }>('SELECT id, checksum FROM schema_migrations');
    const done = new Map(rows.map((r) => [r.id, r.checksum]));
    for (const migration of migrations) {
      const checksum = done.get(migration.id);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`migration ${migration.id}_${migration.name} was edited after it was applied; add a new migration instead`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (id, name, checksum) VALUES ($1, $2, $3)', [
          migration.id,
          migration.name,
          migration.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.id}_${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.id);
      logger.info({ migration: `${migration.id}_${migration.name}` }, 'applied migration');
    }
    const unknown = [...done.keys()].filter((id) => !migrations.some((m) => m.id === id));
    if (unknown.length > 0) {
      throw new Error(`database has migrations this code does not know (${unknown.join(', ')}): deploy the newer code`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return applied;
}
