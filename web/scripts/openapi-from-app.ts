/**
 * Prints the API's OpenAPI document without a running server: builds the Hono app in-process (as
 * test/api-contract.test.ts does) with stand-ins for PostgreSQL and Temporal, which /openapi.json never touches.
 * Run from web/ with the backend's tsx: `../node_modules/.bin/tsx scripts/openapi-from-app.ts > openapi.json`.
 */
import { pino } from 'pino';
import { createApp } from '../../api/app.js';
import type { ApiDeps } from '../../api/deps.js';
import { authOptions } from '../../api/run.js';
import { loadConfig } from '../../config/index.js';

const unused = new Proxy(
  {},
  {
    get: () => {
      throw new Error('The OpenAPI document needs no database or Temporal');
    },
  },
);
const app = createApp({
  sql: unused as ApiDeps['sql'],
  temporal: unused as ApiDeps['temporal'],
  taskQueue: 'openapi',
  log: pino({ level: 'silent' }),
  auth: authOptions(loadConfig({})),
  instance: unused as ApiDeps['instance'] & object,
});
const response = await app.request('/openapi.json');
if (!response.ok) throw new Error(`/openapi.json answered ${response.status}`);
process.stdout.write(`${JSON.stringify(await response.json(), null, 2)}\n`);
