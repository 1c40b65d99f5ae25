export * from './platform/index.js';
export * from './users/index.js';
export * from './auth/index.js';
export * from './tasks/index.js';
export * from './mail/index.js';
export * from './chat/index.js';
export * from './oauth/index.js';
