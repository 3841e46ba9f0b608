import { defineConfig } from 'vite';

// The console is built into web/dist and served by the API server at / (src/api/routes/console-static.ts).
// No dev-only plugins: JSX goes through Vite's built-in oxc transform (React automatic runtime).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // No inline scripts: the page's Content-Security-Policy allows only 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      // React Query marks its modules "use client" (a React Server Components hint): meaningless here.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
  server: {
    // `npx vite web` for UI work: the API runs on :8080 (npm start).
    proxy: {
      '/v1': 'http://127.0.0.1:8080',
      '/admin': 'http://127.0.0.1:8080',
      '/console': 'http://127.0.0.1:8080',
      '/recordings': 'http://127.0.0.1:8080',
    },
  },
});
