import { z } from 'zod';

/** Signs development tokens when no AUTH_JWT_SECRET or JWKS is configured; never use it in production. */
export const DEVELOPMENT_JWT_SECRET = 'mentorship-development-secret-do-not-use-in-production';

/** Every environment variable the system reads, with its default. The table in docs/configuration.md mirrors this. */
const EnvSchema = z.object({
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // The web console `npm start` serves (web/, built on first use); 0 turns it off.
  CONSOLE_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  // What the console's /config.json adds (JSON): the identity provider's `oidc`, the Temporal UI's `temporalUiUrl`.
  CONSOLE_CONFIG: z
    .string()
    .optional()
    .refine((text) => text === undefined || isJsonObject(text), 'must be a JSON object'),
  PUBLIC_BASE_URL: z.string().url().optional(),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(5433),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('mentorship'),
  TEMPORAL_DEV_SERVER_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_CLI_PATH: z.string().optional(),
  TEMPORAL_TEST_SERVER_PATH: z.string().optional(),
  RESEND_API_KEY: z.string().optional(),
  RESEND_BASE_URL: z.string().url().optional(),
  EMAIL_FROM: z.string().default('Mentorship Program <mentorship@example.org>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  // The worker's Prometheus endpoint (the Temporal SDK's metrics) at http://HOST:PORT/metrics; port 0 turns it off.
  WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  // Bearer tokens: a JWKS URL in production; without one, HS256 with this secret (development only).
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_JWT_SECRET: z.string().min(32).default(DEVELOPMENT_JWT_SECRET),
  AUTH_ISSUER: z.string().default('mentorship-dev'),
  AUTH_AUDIENCE: z.string().default('mentorship-api'),
  // Public certificate endpoints: requests per client address per window (0 turns the limit off).
  CERTIFICATE_RATE_LIMIT: z.coerce.number().int().min(0).default(60),
  CERTIFICATE_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  // A worker killed with -9 holds the next workflow task of each mentee it had cached for this long before another
  // worker takes it (Temporal's default is 10 s); a live worker busier than this replays the mentee instead.
  WORKER_STICKY_TIMEOUT_SECONDS: z.coerce.number().min(1).max(60).default(3),
  // Worker Versioning: this build's id (e.g. the image tag or commit). Set, the worker joins the deployment below as
  // that version and its mentees move to each new current version at their next step (AUTO_UPGRADE; docs/changing-the-workflow.md,
  // "Changing the workflow"). Unset, the worker is unversioned.
  WORKER_BUILD_ID: z.string().min(1).max(255).optional(),
  WORKER_DEPLOYMENT_NAME: z.string().min(1).max(255).default('mentorship'),
  // An Idempotency-Key claim whose request stopped renewing it (the API died) is taken over after this.
  IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(1).default(30),
  // Uploaded files (PDF only, checked by their bytes): at most this many bytes, kept in PostgreSQL or an S3 bucket.
  FILE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(5 * 1024 * 1024),
  // what an upload may be, comma-separated, each told by its bytes: pdf, png, jpeg
  FILE_TYPES: z
    .string()
    .default('pdf')
    .transform((list) => list.split(',').map((t) => t.trim().toLowerCase()))
    .pipe(z.array(z.enum(['pdf', 'png', 'jpeg'])).min(1)),
  FILE_STORAGE: z.enum(['postgres', 's3']).default('postgres'),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  // an S3-compatible server instead of AWS (addressed by path); credentials as the AWS SDK finds them, or these
  S3_ENDPOINT: z.string().url().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  // The keyring that encrypts Temporal payloads and persons' keys: {"current":"<id>","keys":{"<id>":"<32 bytes,
  // base64>"}}, as JSON here or in a file; without either, npm start generates DATA_DIR/payload-keys.json.
  PAYLOAD_KEYS: z.string().optional(),
  PAYLOAD_KEYS_FILE: z.string().optional(),
  // The Temporal UI's origin: the only browser origin the codec endpoint (/codec/...) answers; default: the dev UI.
  TEMPORAL_UI_ORIGIN: z.string().url().optional(),
  // How long Temporal keeps a closed workflow's history (the namespace's retention), set by npm start.
  WORKFLOW_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  // Browser origins allowed to call the API, comma-separated (e.g. the web frontend's dev server).
  CORS_ORIGINS: z
    .string()
    .default('http://localhost:5173,http://127.0.0.1:5173')
    .transform((list) =>
      list
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
});

export type Config = z.infer<typeof EnvSchema>;

/** Reads the environment once; a bad value stops the process with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

export const ENV_VARIABLES = Object.keys(EnvSchema.shape) as (keyof Config)[];

/** Base of links in emails and on certificates. */
export const publicBaseUrl = (config: Config): string =>
  config.PUBLIC_BASE_URL ??
  `http://${config.API_HOST === '0.0.0.0' ? '127.0.0.1' : config.API_HOST}:${config.API_PORT}`;

/** The browser origin of the Temporal UI, the one origin the codec endpoint grants CORS to. */
export const temporalUiOrigin = (config: Config): string =>
  config.TEMPORAL_UI_ORIGIN ?? `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;

/** Whether the API is reachable only from this machine. */
export const isLoopbackHost = (host: string): boolean =>
  ['localhost', '::1', '[::1]'].includes(host.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/**
 * Why the API must not start with this configuration: the built-in development secret (anyone can mint tokens
 * with it, `npm run token` does) on an address other machines can reach. Undefined when it is safe.
 */
export function unsafeAuthReason(config: Config): string | undefined {
  if (config.AUTH_JWKS_URL || config.AUTH_JWT_SECRET !== DEVELOPMENT_JWT_SECRET) return undefined;
  if (isLoopbackHost(config.API_HOST)) return undefined;
  return (
    `API_HOST=${config.API_HOST} is reachable from other machines, and tokens would be checked against the ` +
    'built-in development secret, with which anyone can sign a token. Set AUTH_JWKS_URL (your identity ' +
    "provider's key set) or AUTH_JWT_SECRET (at least 32 random characters), or listen on 127.0.0.1"
  );
}

const bracketed = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip);

/** The gRPC address of a dev server on `port` (what `npm start` runs, and the `npm run ops` default). */
export const devServerAddress = (port: number, ip = '127.0.0.1') => `${bracketed(ip)}:${port}`;

/** The password of the embedded PostgreSQL server; it listens on 127.0.0.1 only. */
export const EMBEDDED_PASSWORD = 'mentorship';
/** The database `npm start` keeps its data in. */
export const EMBEDDED_DATABASE = 'mentorship';

/** Where an embedded server on `port` serves `database` (or, without one, the server itself). */
export const embeddedDatabaseUrl = (port: number, database?: string) =>
  `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}${database ? `/${database}` : ''}`;

/** The configured servers, or those `npm start` embeds when they are unset (the `npm run ops` default). */
export const serverEndpoints = (config: Config) => ({
  databaseUrl: config.DATABASE_URL ?? embeddedDatabaseUrl(config.EMBEDDED_POSTGRES_PORT, EMBEDDED_DATABASE),
  temporalAddress: config.TEMPORAL_ADDRESS ?? devServerAddress(config.TEMPORAL_DEV_SERVER_PORT),
});

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
