export * from './user.repository.js';
