import type { TestApp } from './test-app.js';

/** Every table of the public schema (whatever later migrations add), with the migration ledger left out. */
export async function allTables(app: TestApp): Promise<string[]> {
  const { rows } = await app.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}

/** Per table, the rows whose text (every column) mentions any of `needles`, as JSON, in a stable order. */
export async function rowsMentioning(app: TestApp, needles: string[]): Promise<Record<string, string[]>> {
  const patterns = needles.map((n) => `%${n}%`);
  const result: Record<string, string[]> = {};
  for (const table of await allTables(app)) {
    const { rows } = await app.db.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM "${table}" t WHERE t::text ILIKE ANY($1) ORDER BY 1`, [patterns]);
    if (rows.length > 0) result[table] = rows.map((r) => r.row);
  }
  return result;
}

/** Every key under the app's prefix. */
export async function allKeys(app: TestApp): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await app.redis.scan(cursor, 'MATCH', `${app.config.redisKeyPrefix}:*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'] as const;

/** Every job in every queue and state, as `queue:id data`. */
export async function allJobs(app: TestApp): Promise<string[]> {
  const lines: string[] = [];
  for (const [name, queue] of Object.entries(app.queue.queues)) {
    for (const job of await queue.getJobs([...JOB_STATES], 0, -1)) {
      if (job) lines.push(`${name}:${job.id} ${JSON.stringify(job.data)}`);
    }
  }
  return lines;
}
