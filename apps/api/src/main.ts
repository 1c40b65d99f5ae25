/**
 * Entry point of the API process (server.ts). ESM evaluates every static import before a
 * module's own code, so this one imports nothing large: it turns on Node's module compile cache,
 * then loads the app, then writes what was compiled to the cache.
 */
import { enableModuleCompileCache, flushModuleCompileCache } from '@todo/core/compile-cache';

enableModuleCompileCache();
await import('./server.js');
flushModuleCompileCache();
