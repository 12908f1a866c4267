import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The server (npm run dev, port 8080) answers the API and sockets; the dev server only serves the app.
const api = process.env.CHITCHAT_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: {
      // Only the API paths; `/chats/…/ws` upgrades ride the same rule. The server checks Origin,
      // so the proxied upgrade must present the server's own origin.
      '/chats': { target: api, ws: true, changeOrigin: true, rewriteWsOrigin: true },
      '/healthz': { target: api },
      '/docs': { target: api },
    },
  },
});
