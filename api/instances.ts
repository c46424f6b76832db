import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.js';

/** How often an API process says it is alive, and after how long without a word it counts as gone. */
export const HEARTBEAT_MS = 1_000;
export const GONE_AFTER_SECONDS = 5;

/** This API process as the others see it: a row in api_instances whose heartbeat says it is alive. */
export interface ApiInstance {
  id: string;
  /** Resolves once the row exists: a claim may name this instance only then. */
  registered(): Promise<void>;
  stop(): void;
}

/**
 * Registers the process and keeps its heartbeat. The heartbeat is a timer of its own, not tied to any request,
 * so a slow live process keeps its claims; one killed with -9 stops beating and its claims are taken over.
 */
export function registerApiInstance(sql: Sql): ApiInstance {
  const id = randomUUID();
  const beat = async () => {
    await sql`
      INSERT INTO api_instances (id) VALUES (${id})
      ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`;
  };
  let registration: Promise<void> | undefined;
  const registered = () => {
    registration ??= (async () => {
      await sql`DELETE FROM api_instances WHERE heartbeat_at < now() - interval '1 day'`;
      await beat();
    })().catch((error: unknown) => {
      registration = undefined; // the next claim tries again
      throw error;
    });
    return registration;
  };
  // a missed beat is made up by the next; five in a row means the database is gone for everyone
  const timer = setInterval(() => void beat().catch(() => {}), HEARTBEAT_MS);
  timer.unref();
  return { id, registered, stop: () => clearInterval(timer) };
}
