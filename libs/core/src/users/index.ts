export * from './user.repository.js';
export * from './user.schemas.js';
export * from './time-zone.js';
export * from './update-profile.js';
