export * from './tool.js';
export * from './registry.js';
