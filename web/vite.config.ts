import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * `vite` (dev) and `vite preview` talk to the API through a same-origin proxy at /api, so the browser needs no
 * CORS grant (the API's CORS allows no If-Match header, which the application draft needs). They answer
 * /config.json with that base; a deployment serves its own config.json beside the built files.
 */
const api = process.env.API_URL ?? 'http://127.0.0.1:3000';
const proxy = { '/api': { target: api, changeOrigin: true, rewrite: (path: string) => path.slice(4) } };

function devConfig(): Plugin {
  const serve = (_req: unknown, res: { setHeader(n: string, v: string): void; end(s: string): void }) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify({ apiBaseUrl: '/api', oidc: null }));
  };
  return {
    name: 'console-dev-config',
    configureServer: (server) => void server.middlewares.use('/config.json', serve),
    configurePreviewServer: (server) => void server.middlewares.use('/config.json', serve),
  };
}

export default defineConfig({
  plugins: [react(), devConfig()],
  server: { host: '127.0.0.1', port: 5173, strictPort: true, proxy },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, proxy },
  build: { target: 'es2022', sourcemap: true },
});
