import { defineConfig } from 'vitest/config';

// Component tests: the views' logic in jsdom, with HTTP faked at fetch (no API process).
export default defineConfig({
  root: import.meta.dirname,
  test: {
    name: 'web',
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/testing/setup.ts'],
    restoreMocks: true,
  },
});
