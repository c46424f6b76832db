import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Sql } from '../db/index.js';
import type { AuthOptions } from './auth.js';

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
  /** Clock for rules the API checks itself (applications close); workflows keep their own time. */
  now?: () => number;
}
