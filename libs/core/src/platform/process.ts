import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createPool, prepareDatabase, type Pool } from './db/index.js';
import { createLogger, type Logger } from './logger.js';
import { createQueueClient, retryDelaysFrom, type QueueClient } from './queue/queues.js';
import { createRedis, type Redis } from './redis.js';

/** The version in the root package.json, reported by /health, logs and MCP. */
export const SERVICE_VERSION = (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

export interface ProcessBasics {
  config: Config;
  logger: Logger;
  /** Fails every query as an outage (503) until `databaseReady`: the schema may not exist before. */
  db: Pool;
  /** Resolves once Postgres answered and the migrations ran; a failure no retry can fix exits the process. */
  databaseReady: Promise<void>;
  /** For commands; fails a command after a few reconnect attempts instead of hanging. */
  redis: Redis;
  queue: QueueClient;
}

/**
 * What every process does first: read the config (every problem at once), log, and set up its
 * connections without waiting for them. Postgres is prepared in the background (created in local
 * development, migrated) as soon as it answers, and Redis clients connect whenever Redis answers,
 * so a process can serve (and report what is missing) while a dependency is still away.
 */
export function bootProcess({ name, poolMax }: { name: 'api' | 'worker'; poolMax?: (config: Config) => number }): ProcessBasics {
  const config = loadConfig(process.env, SERVICE_VERSION);
  const logger = createLogger({ level: config.logLevel, name });
  const databaseReady = prepareDatabase({ config, logger, applicationName: `todo-${name}-migrate` }).then(
    () => undefined,
    (error: unknown) => {
      logger.fatal({ err: error }, 'the database cannot be used; exiting');
      process.exit(1);
    },
  );
  const db = createPool({
    connectionString: config.databaseUrl,
    max: poolMax?.(config) ?? config.databasePoolMax,
    logger,
    applicationName: `todo-${name}`,
    readyWhen: databaseReady,
  });
  const redis = createRedis({ url: config.redisUrl, logger, name });
  const queue = createQueueClient({ connection: redis, prefix: config.redisKeyPrefix, retryDelayMs: retryDelaysFrom(config), logger });
  return { config, logger, db, databaseReady, redis, queue };
}


/**
 * Calls `stop` once on the first SIGTERM or SIGINT, and exits non-zero if it has not finished
 * within `timeoutMs` (the process's own deadline comes before PM2's kill_timeout).
 */
export function onShutdownSignal(logger: Logger, timeoutMs: number, stop: (signal: string) => Promise<void> | void): void {
  let isStopping = false;
  const handle = (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs).unref();
    void Promise.resolve(stop(signal)).catch((error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => handle('SIGTERM'));
  process.on('SIGINT', () => handle('SIGINT'));
}

/** Runs a process's main; a configuration problem prints its one message, anything else its stack; both exit 1. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `${name} failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
