// The UI bundle: built into dist/ui, which the server serves at `/` (no second process).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  publicDir: false,
  plugins: [react()],
  // The Explore table's column worker (src/lib/column-worker.ts) is an ES module worker.
  worker: { format: 'es' },
  build: { outDir: 'dist/ui', emptyOutDir: true, chunkSizeWarningLimit: 1024, sourcemap: false },
  server: { proxy: { '/api': 'http://127.0.0.1:9070' } },
});
