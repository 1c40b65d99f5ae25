export * from './pool.js';
export * from './migrate.js';
export * from './prepare-database.js';
