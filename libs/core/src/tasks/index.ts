export * from './task.schemas.js';
export * from './task.repository.js';
export * from './task.service.js';
export * from './due-bounds.js';
export * from './task-events.js';
