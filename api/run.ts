import { type ServerType, serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { configuredFileStore } from '../applications/s3-store.js';
import {
  type Config,
  DEVELOPMENT_JWT_SECRET,
  publicBaseUrl,
  temporalUiOrigin,
  unsafeAuthReason,
} from '../config/index.js';
import { connect } from '../db/index.js';
import { configuredKeyring, privateClientOptions } from '../privacy/clients.js';
import { portInUse } from '../system/startup.js';
import { createApp } from './app.js';
import type { AuthOptions } from './auth.js';
import { registerApiInstance } from './instances.js';

/** Serves the HTTP API until `stop()`. */
export async function startApi(
  config: Config,
  endpoints: { databaseUrl: string; temporalAddress: string },
  log: Logger,
  /** Off only for the bench that measures what encryption costs (bench/codec-cost.ts). */
  { encryption = true }: { encryption?: boolean } = {},
) {
  const unsafe = unsafeAuthReason(config);
  if (unsafe) throw new Error(unsafe);
  const keyring = configuredKeyring(config);
  const sql = connect(endpoints.databaseUrl);
  const connection = await Connection.connect({ address: endpoints.temporalAddress });
  const temporal = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(encryption && privateClientOptions(keyring, sql)),
  });
  if (!config.AUTH_JWKS_URL && config.AUTH_JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
    log.warn(
      'API tokens are checked against the built-in development secret (allowed on loopback only); set AUTH_JWKS_URL in production',
    );
  }
  // registered before serving: the claims this host's dead API processes left are taken over from the first request
  const instance = registerApiInstance(sql);
  // with the database not there yet, the first request with an Idempotency-Key registers it
  await instance
    .registered()
    .catch((error: unknown) => log.warn({ err: error }, 'API instance not registered yet'));
  const app = createApp({
    sql,
    instance,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    log,
    auth: authOptions(config),
    corsOrigins: config.CORS_ORIGINS,
    certificateRateLimit: {
      limit: config.CERTIFICATE_RATE_LIMIT,
      windowMs: config.CERTIFICATE_RATE_LIMIT_WINDOW_SECONDS * 1000,
    },
    idempotencyLeaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
    files: { store: configuredFileStore(config), maxBytes: config.FILE_MAX_BYTES, kinds: config.FILE_TYPES },
    publicBaseUrl: publicBaseUrl(config),
    keyring,
    codec: {
      uiOrigin: temporalUiOrigin(config),
      namespace: config.TEMPORAL_NAMESPACE,
      developmentUi: !config.AUTH_JWKS_URL && config.AUTH_JWT_SECRET === DEVELOPMENT_JWT_SECRET,
    },
  });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.API_HOST, port: config.API_PORT }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') return reject(error);
      reject(portInUse(config.API_HOST, config.API_PORT, 'API', 'API_PORT'));
    });
  });
  const address = server.address();
  const url = `http://${config.API_HOST}:${typeof address === 'object' && address ? address.port : config.API_PORT}`;
  log.info({ url }, 'API listening');
  return {
    url,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      instance.stop();
      await connection.close();
      await sql.end();
    },
  };
}

export const authOptions = (config: Config): AuthOptions => ({
  issuer: config.AUTH_ISSUER,
  audience: config.AUTH_AUDIENCE,
  jwksUrl: config.AUTH_JWKS_URL,
  secret: config.AUTH_JWT_SECRET,
});
