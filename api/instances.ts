import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Sql } from '../db/index.js';
import { isAlive } from '../system/processes.js';

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
 * An API restarted on the same host (`npm start` after a crash) does not wait for that: the instances of this
 * host whose process is gone are marked dead when it registers, so their claims are taken over at once.
 */
export function registerApiInstance(sql: Sql): ApiInstance {
  const id = randomUUID();
  const host = hostname();
  const beat = async () => {
    await sql`
      INSERT INTO api_instances (id, host, pid) VALUES (${id}, ${host}, ${process.pid})
      ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`;
  };
  let registration: Promise<void> | undefined;
  const registered = () => {
    registration ??= (async () => {
      await sql`DELETE FROM api_instances WHERE heartbeat_at < now() - interval '1 day'`;
      await beat();
      const neighbours = await sql<{ id: string; pid: number }[]>`
        SELECT id, pid FROM api_instances WHERE host = ${host} AND id <> ${id} AND heartbeat_at > '-infinity'`;
      // our own pid on another instance: a container restarted as pid 1, say
      const dead = neighbours.filter((n) => n.pid === process.pid || !isAlive(n.pid)).map((n) => n.id);
      if (dead.length > 0)
        await sql`UPDATE api_instances SET heartbeat_at = '-infinity' WHERE id IN ${sql(dead)}`;
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
