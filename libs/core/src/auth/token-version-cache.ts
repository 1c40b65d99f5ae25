import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { onPoolNotice, type Pool, type Queryable } from '../platform/db/index.js';
import type { Logger } from '../platform/logger.js';
import { findTokenVersion } from '../users/index.js';

/** The channel migration 0010's trigger notifies, with '<user_id>:<token_version>', on a bump or a deleted user. */
export const TOKEN_VERSION_CHANNEL = 'token_version';
const NOTICE_PREFIX = `${TOKEN_VERSION_CHANNEL} `;
const MAX_RECONNECT_DELAY_MS = 30_000;

export interface TokenVersionCacheOptions {
  /** The database to LISTEN on, with one dedicated connection outside the pool. */
  connectionString: string;
  logger: Logger;
  /** The process's own pool: the NOTICE its sessions get drops an entry before the writer's commit returns. */
  pool?: Pool;
  /** Users kept; the least recently used goes first. Default 10,000. */
  maxEntries?: number;
  /** An entry is read again after this long even without a notification (a guard, not the mechanism). Default 30 s. */
  ttlMs?: number;
  /** First wait before reconnecting a lost listener, doubled up to 30 s. Default 500 ms. */
  reconnectDelayMs?: number;
  /** The listener is pinged this often; a ping unanswered within the same time counts as a lost connection. Default 10 s. */
  pingIntervalMs?: number;
}

export interface TokenVersionCache {
  /**
   * The user's token version (null: no such user): cached while the listener is up, else read from
   * Postgres. `isFresh` reads Postgres in any case (and caches what it read).
   */
  read(db: Queryable, userId: string, options?: { isFresh?: boolean }): Promise<number | null>;
  /** True while the listener is connected and listening; cached entries are used only then. */
  readonly isListening: boolean;
  /** Resolves true once listening, or false after `timeoutMs` (default 5 s). */
  whenListening(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

interface Entry {
  version: number;
  expiresAt: number;
}

/**
 * An in-process cache of users' token versions, so that an authenticated request needs no
 * database round trip. Kept true by one LISTEN connection: Postgres announces every committed
 * change (migration 0010). Fail safe: while the listener is not connected, and until it listens
 * again, every read goes to Postgres, and everything cached before is forgotten.
 */
export function createTokenVersionCache(options: TokenVersionCacheOptions): TokenVersionCache {
  const { connectionString, logger, pool, maxEntries = 10_000, ttlMs = 30_000, reconnectDelayMs = 500, pingIntervalMs = 10_000 } = options;
  const entries = new Map<string, Entry>();
  // Bumped by every invalidation: a read that started before one must not store what it read.
  let generation = 0;
  let listener: pg.Client | null = null;
  let isListening = false;
  let isClosed = false;
  let retryDelayMs = reconnectDelayMs;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const waiters = new Set<() => void>();

  const forgetAll = () => {
    generation++;
    entries.clear();
  };
  const forget = (payload: string) => {
    generation++;
    entries.delete(payload.slice(0, payload.indexOf(':')));
  };
  const onNotice = (notice: { message?: string }) => {
    if (notice.message?.startsWith(NOTICE_PREFIX)) forget(notice.message.slice(NOTICE_PREFIX.length));
  };
  const stopNotices = pool ? onPoolNotice(pool, onNotice) : () => undefined;

  function lose(client: pg.Client, reason: string): void {
    if (listener !== client) return;
    listener = null;
    if (isListening) logger.warn({ reason }, 'token-version listener lost: reading token versions from Postgres until it is back');
    isListening = false;
    forgetAll();
    client.end().catch(() => undefined);
    if (isClosed) return;
    reconnectTimer = setTimeout(() => void connect(), retryDelayMs);
    reconnectTimer.unref();
    retryDelayMs = Math.min(retryDelayMs * 2, MAX_RECONNECT_DELAY_MS);
  }

  async function connect(): Promise<void> {
    const client = new pg.Client({ connectionString, application_name: 'todo-token-versions', keepAlive: true, connectionTimeoutMillis: 5_000 });
    listener = client;
    client.on('notification', (message) => {
      if (message.channel === TOKEN_VERSION_CHANNEL && message.payload) forget(message.payload);
    });
    client.on('error', (error) => lose(client, error.message));
    client.on('end', () => lose(client, 'connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${TOKEN_VERSION_CHANNEL}`);
    } catch (error) {
      lose(client, (error as Error).message);
      return;
    }
    if (listener !== client) return;
    // A change made before LISTEN took effect was never announced to us.
    forgetAll();
    isListening = true;
    retryDelayMs = reconnectDelayMs;
    for (const wake of waiters) wake();
  }

  const pingTimer = setInterval(() => {
    const client = listener;
    if (!client || !isListening) return;
    const timeout = setTimeout(() => lose(client, 'ping unanswered'), pingIntervalMs);
    client.query('SELECT 1').then(
      () => clearTimeout(timeout),
      (error: Error) => {
        clearTimeout(timeout);
        lose(client, error.message);
      },
    );
  }, pingIntervalMs);
  pingTimer.unref();

  void connect();

  function remember(userId: string, version: number): void {
    entries.delete(userId);
    entries.set(userId, { version, expiresAt: performance.now() + ttlMs });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  }

  return {
    get isListening() {
      return isListening;
    },
    async read(db, userId, { isFresh = false } = {}) {
      if (isListening && !isFresh) {
        const entry = entries.get(userId);
        if (entry && entry.expiresAt > performance.now()) {
          // Moved to the end: the Map's insertion order is the LRU order.
          entries.delete(userId);
          entries.set(userId, entry);
          return entry.version;
        }
      }
      const startedAt = generation;
      const version = await findTokenVersion(db, userId);
      if (version !== null && isListening && generation === startedAt) remember(userId, version);
      return version;
    },
    whenListening(timeoutMs = 5_000) {
      if (isListening) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (result: boolean) => {
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(result);
        };
        const wake = () => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        waiters.add(wake);
      });
    },
    async close() {
      isClosed = true;
      clearTimeout(reconnectTimer);
      clearInterval(pingTimer);
      stopNotices();
      const client = listener;
      listener = null;
      isListening = false;
      entries.clear();
      await client?.end().catch(() => undefined);
    },
  };
}
