export * from './config.js';
export * from './errors.js';
export * from './logger.js';
export * from './redis.js';
export * from './rate-limit.js';
export * from './with-timeout.js';
export * from './db/index.js';
export * from './validation.js';
