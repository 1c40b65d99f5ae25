export * from './task.schemas.js';
export * from './task.repository.js';
export * from './task.service.js';
export * from './task-events.js';
