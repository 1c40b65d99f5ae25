import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run the TypeScript sources of the core library, not its build output.
    // Exact names: '@todo/core/compile-cache' is its own entry.
    alias: [
      { find: /^@todo\/core$/, replacement: fileURLToPath(new URL('./libs/core/src/index.ts', import.meta.url)) },
      { find: /^@todo\/core\/compile-cache$/, replacement: fileURLToPath(new URL('./libs/core/src/platform/compile-cache.ts', import.meta.url)) },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['libs/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          // The web app's component tests run in jsdom, in their own project.
          exclude: ['apps/web/**', '**/node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      'apps/web/vitest.config.ts',
    ],
  },
});
