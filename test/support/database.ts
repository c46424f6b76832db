import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { connect, migrate, type Sql } from '../../db/index.js';

/** A new, migrated database in the run's PostgreSQL server, so test files never share rows. */
export async function freshDatabase(): Promise<{ url: string; sql: Sql; close(): Promise<void> }> {
  const serverUrl = inject('postgresServerUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(`${serverUrl}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = `${serverUrl}/${name}`;
  await migrate(url);
  const sql = connect(url);
  return { url, sql, close: () => sql.end() };
}
