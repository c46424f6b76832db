import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

// Served from the installed package, so the page works without a CDN (and offline).
const ASSETS = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const FILES = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Mentorship program API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true,
      persistAuthorization: true, tryItOutEnabled: true, displayRequestDuration: true });
  </script>
</body>
</html>`;

/** `/docs`: the interactive reference of `/openapi.json`; "Authorize" takes a token from `npm run token`. */
export function docsRoutes() {
  const app = new Hono();
  const cache = new Map<string, Buffer>();
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/:file', async (c) => {
    const file = c.req.param('file');
    if (!Object.hasOwn(FILES, file)) return c.notFound();
    let body = cache.get(file);
    if (!body) {
      body = await readFile(join(ASSETS, file));
      cache.set(file, body);
    }
    return c.body(new Uint8Array(body), 200, {
      'content-type': FILES[file as keyof typeof FILES],
      'cache-control': 'public, max-age=86400',
    });
  });
  return app;
}
