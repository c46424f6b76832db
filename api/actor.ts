import type { Context } from 'hono';
import type { Actor, Role } from '../domain/messages.js';

/** Who is calling; until tokens arrive, the frontend names the user in `X-User-Id`. */
export function actorOf(c: Context, role: Role): Actor {
  return { userId: c.req.header('x-user-id') ?? 'anonymous', role };
}
