import pg from 'pg';
import type { Logger } from '../logger.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** A pool or a checked-out client: repositories accept either so they can join a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

const DATE_OID = 1082;

/** DATE columns stay 'YYYY-MM-DD' strings: turning them into JS Dates would shift them by the time zone. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface CreatePoolOptions {
  connectionString: string;
  max?: number;
  logger: Logger;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /**
   * Until this resolves, every query and connect fails at once as "cannot connect now" (SQLSTATE
   * 57P03, a 503 at the API): the schema may not exist before migrations ran. Default: open.
   */
  readyWhen?: Promise<unknown>;
}

/** What a gated pool answers before it is ready; `isDependencyOutage` sees it as an outage. */
class DatabaseNotReadyError extends Error {
  override name = 'DatabaseNotReadyError';
  readonly code = '57P03';
  constructor() {
    super('The database is not ready yet: waiting for it to answer and for migrations to run.');
  }
}

export function createPool({ connectionString, max = 10, logger, applicationName = 'todo', readyWhen }: CreatePoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    types,
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 15_000,
    query_timeout: 20_000,
    keepAlive: true,
  });
  // An idle client losing its connection emits here; without a listener the process would crash.
  pool.on('error', (error) => logger.error({ err: error }, 'postgres idle client error'));
  // Server NOTICEs of every session, as one 'notice' event of the pool (the token-version cache reads them).
  pool.on('connect', (client) => client.on('notice', (notice) => pool.emit('notice', notice)));
  if (readyWhen) gateUntil(pool, readyWhen);
  return pool;
}

/** Calls `handle` with every server NOTICE any session of the pool receives; returns the unsubscribe. */
export function onPoolNotice(pool: Pool, handle: (notice: { message?: string }) => void): () => void {
  const emitter = pool as unknown as NodeJS.EventEmitter;
  emitter.on('notice', handle);
  return () => emitter.off('notice', handle);
}

/** pg's Pool#query goes through Pool#connect, so gating connect gates everything. */
function gateUntil(pool: Pool, readyWhen: Promise<unknown>): void {
  let isReady = false;
  readyWhen.then(() => (isReady = true), () => undefined);
  const connect = pool.connect.bind(pool);
  pool.connect = ((callback?: (error: Error | undefined, client?: PoolClient, done?: () => void) => void) => {
    if (isReady) return connect(callback as never);
    if (!callback) return Promise.reject(new DatabaseNotReadyError());
    process.nextTick(() => callback(new DatabaseNotReadyError()));
    return undefined;
  }) as Pool['connect'];
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Whether a missing database may be created at start: in development, on the local server only
 * (the default `todo_dev`, or any name a developer puts in DATABASE_URL). Databases elsewhere are
 * provisioned by their owners.
 */
export function mayCreateDatabase(config: { appEnv: string; databaseUrl: string; isDefaultDatabase: boolean }): boolean {
  if (config.isDefaultDatabase) return true;
  return config.appEnv === 'development' && LOOPBACK_HOSTS.has(new URL(config.databaseUrl).hostname);
}

export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Creates the database named in the URL when it does not exist yet, connecting to the
 * server's `postgres` database to do so. Only where `mayCreateDatabase` allows it.
 */
export async function ensureDatabaseExists(connectionString: string, logger: Logger): Promise<void> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`refusing to create a database named ${JSON.stringify(name)}`);
  const probe = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    logger.info({ database: name }, 'created database');
  } catch (error) {
    // Another process created it between our probe and now: 42P04, or 23505 when both inserted
    // into pg_database at the same moment (the api and the worker starting together).
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw error;
  } finally {
    await admin.end();
  }
}
