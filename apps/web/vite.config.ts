import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev -w @todo/web` proxies the API to a local `npm start` (port 7860).
const apiTarget = process.env.VITE_DEV_API_TARGET ?? 'http://localhost:7860';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The polyfill is for browsers without modulepreload; every browser we target has it.
    modulePreload: { polyfill: false },
    // Small assets stay files: the CSP has no data: for scripts or styles.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { '/api': apiTarget, '/mcp': apiTarget, '/health': apiTarget },
  },
});
