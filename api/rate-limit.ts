import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { ProblemError } from '../domain/problems.js';

export interface RateLimitOptions {
  /** Requests one client address may make per window; 0 turns the limit off. */
  limit: number;
  windowMs: number;
  now?: () => number;
}

/** The socket's peer address (no proxy headers: a client could forge them); in-process tests have none. */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * A fixed-window limit per client address, kept in this process's memory (each API replica counts its own).
 * Past the limit: 429 problem+json with `Retry-After`, the seconds until the window ends.
 */
export function rateLimit({ limit, windowMs, now = Date.now }: RateLimitOptions): MiddlewareHandler {
  const windows = new Map<string, { startedAt: number; count: number }>();
  let sweptAt = now();
  return async (c, next) => {
    if (limit === 0) return next();
    const at = now();
    // Forget finished windows once per window, so the map holds only the current window's clients.
    if (at - sweptAt >= windowMs) {
      for (const [address, window] of windows) if (at - window.startedAt >= windowMs) windows.delete(address);
      sweptAt = at;
    }
    const address = clientAddress(c);
    let window = windows.get(address);
    if (!window || at - window.startedAt >= windowMs) {
      window = { startedAt: at, count: 0 };
      windows.set(address, window);
    }
    window.count += 1;
    c.header('ratelimit-policy', `${limit};w=${Math.round(windowMs / 1000)}`);
    if (window.count > limit) {
      const retryAfter = Math.max(1, Math.ceil((window.startedAt + windowMs - at) / 1000));
      c.header('retry-after', String(retryAfter));
      throw new ProblemError(
        429,
        'rate-limited',
        `Too many requests from this address: at most ${limit} per ${Math.round(windowMs / 1000)} s; retry in ${retryAfter} s`,
      );
    }
    return next();
  };
}
