import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * The built console (web/dist or another build folder) served as a deployment would: its files (hashed assets
 * cached for a year, text compressed with brotli or gzip as the browser accepts), every other path answered with
 * index.html (the router's pages), `/config.json` from `config`, and `/api/*` passed to `apiUrl` so the browser
 * talks to one origin (the draft's If-Match needs no CORS grant). Used by e2e/oidc.spec.ts and bench/.
 */
export interface ServedConsole {
  url: string;
  /** What /config.json answers; may be changed while serving (e.g. once the identity provider's port is known). */
  config: { apiBaseUrl: string; oidc: unknown };
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.map', '.txt']);

export async function serveConsole(options: {
  dist: string;
  apiUrl: string;
  config?: ServedConsole['config'];
  /** Compress text (default true). */
  compress?: boolean;
  host?: string;
  port?: number;
}): Promise<ServedConsole> {
  const dist = resolve(options.dist);
  const api = new URL(options.apiUrl);
  const config = options.config ?? { apiBaseUrl: '/api', oidc: null };
  const compress = options.compress ?? true;
  const compressed = new Map<string, { br: Buffer; gzip: Buffer }>();

  const compressedBody = (file: string) => {
    let entry = compressed.get(file);
    if (!entry) {
      const bytes = readFileSync(file);
      entry = {
        br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        gzip: gzipSync(bytes, { level: 9 }),
      };
      compressed.set(file, entry);
    }
    return entry;
  };
  // compressed once, before the first request (as a deployment's build step or CDN would have them)
  if (compress) {
    for (const name of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
      const file = join(dist, name);
      if (COMPRESSIBLE.has(extname(file)) && extname(file) !== '.map' && statSync(file).isFile()) {
        compressedBody(file);
      }
    }
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://console');
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const upstream = request(
        {
          host: api.hostname,
          port: api.port,
          method: req.method,
          path: `${url.pathname.slice(4) || '/'}${url.search}`,
          headers: { ...req.headers, host: api.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`API unreachable: ${error.message}`);
      });
      req.pipe(upstream);
      return;
    }
    if (url.pathname === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(config));
      return;
    }
    let file = normalize(join(dist, decodeURIComponent(url.pathname)));
    if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
      file = join(dist, 'index.html');
    }
    const ext = extname(file);
    const headers: Record<string, string> = {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'cache-control': url.pathname.startsWith('/assets/')
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
      vary: 'accept-encoding',
    };
    const accepts = String(req.headers['accept-encoding'] ?? '');
    const encoding =
      !compress || !COMPRESSIBLE.has(ext)
        ? null
        : /\bbr\b/.test(accepts)
          ? 'br'
          : /\bgzip\b/.test(accepts)
            ? 'gzip'
            : null;
    if (encoding) {
      const body = compressedBody(file)[encoding];
      res.writeHead(200, { ...headers, 'content-encoding': encoding, 'content-length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(statSync(file).size) });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    config,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
