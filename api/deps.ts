import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { FileKind, FileStore } from '../applications/files.js';
import type { Sql } from '../db/index.js';
import type { Keyring } from '../privacy/keyring.js';
import type { AuthOptions } from './auth.js';
import type { ApiInstance } from './instances.js';
import type { RateLimitOptions } from './rate-limit.js';
import type { CodecOptions } from './routes/privacy.js';

/** What the API needs from the world; tests hand in real servers. */
export interface ApiDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  log: Logger;
  /** How bearer tokens are verified. */
  auth: AuthOptions;
  /** Base of the URLs the API hands out (calendar feeds); default: the request's own origin. */
  publicBaseUrl?: string;
  /** Browser origins allowed by CORS. */
  corsOrigins?: string[];
  /** Limit on the public certificate endpoints per client address (default: 60 a minute). */
  certificateRateLimit?: RateLimitOptions;
  /** This process as other API processes see it (claims name it); made on first use when left out. */
  instance?: ApiInstance;
  /** Seconds after which an Idempotency-Key claim that is no longer renewed (its API died) can be taken over. */
  idempotencyLeaseSeconds?: number;
  /** Where uploaded files go and how large they may be (default: PostgreSQL, 5 MB). */
  files?: { store: FileStore; maxBytes: number; kinds?: readonly FileKind[] };
  /** The payload keyring: the codec endpoint, sealed texts in exports. */
  keyring?: Keyring;
  /** The Temporal UI's codec endpoint (/codec/{namespace}/decode); absent, it answers 503. */
  codec?: CodecOptions;
  /** Clock for rules the API checks itself (applications close); workflows keep their own time. */
  now?: () => number;
}
