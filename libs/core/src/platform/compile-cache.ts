import nodeModule from 'node:module';

// Imported by the processes' entry points as `@todo/core/compile-cache`, a subpath of its own: the
// package's index would load every module before the cache is on.

/** node:module's compile cache API, present from Node 22.1 (flushCompileCache from 22.10); absent in Node 20. */
const compileCache = nodeModule as {
  enableCompileCache?: (directory?: string) => { status: number; message?: string; directory?: string };
  flushCompileCache?: () => void;
};

/**
 * Turns on Node's on-disk module compile cache when this Node has it: modules compiled once (by
 * any earlier start with the same Node and the same file contents) are not compiled again. The
 * directory is NODE_COMPILE_CACHE when set, else `<os.tmpdir()>/node-compile-cache` (/tmp in the
 * image, writable by its non-root user). A directory that cannot be written only disables the
 * cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off. Must run before the app's modules are loaded.
 */
export function enableModuleCompileCache(): void {
  compileCache.enableCompileCache?.();
}

/** Writes what was compiled so far to the cache now (Node writes it at exit otherwise, which a killed process never reaches). */
export function flushModuleCompileCache(): void {
  compileCache.flushCompileCache?.();
}
