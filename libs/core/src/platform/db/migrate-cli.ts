import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { runMain, SERVICE_VERSION } from '../process.js';
import { createPool, ensureDatabaseExists, mayCreateDatabase } from './pool.js';
import { migrate } from './migrate.js';

/** `npm run db:migrate`: applies pending migrations and exits. */
async function main(): Promise<void> {
  const config = loadConfig(process.env, SERVICE_VERSION);
  const logger = createLogger({ level: config.logLevel, name: 'migrate' });
  if (mayCreateDatabase(config)) await ensureDatabaseExists(config.databaseUrl, logger);
  const pool = createPool({ connectionString: config.databaseUrl, max: 1, logger, applicationName: 'todo-migrate' });
  try {
    const applied = await migrate(pool, logger);
    logger.info({ applied: applied.length }, applied.length ? 'migrations applied' : 'database already up to date');
  } finally {
    await pool.end();
  }
}

runMain('migrate', main);
