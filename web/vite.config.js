// Builds the page into web/dist (served by every node from its web root).
// `npm run dev` serves the sources and forwards /rpc, /v1, /ws and /healthz to a
// running node: CIVIC_NODE=http://127.0.0.1:26657 by default.
import { defineConfig } from 'vite';

const node = process.env.CIVIC_NODE || 'http://127.0.0.1:26657';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/rpc': node,
      '/v1': node,
      '/healthz': node,
      '/ws': { target: node.replace(/^http/, 'ws'), ws: true },
    },
  },
});
