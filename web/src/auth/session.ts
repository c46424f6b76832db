import { useSyncExternalStore } from 'react';
import type { components } from '../api/schema';

export type Role = components['schemas']['DevSession']['role'];

/** Who is signed in, read from the bearer token's claims (the API decides what they may do). */
export interface Session {
  token: string;
  userId: string;
  role: Role;
  programs: string[];
  /** Milliseconds since the epoch. */
  expiresAt: number;
  via: 'development' | 'oidc';
}

const KEY = 'mentorship.session';
const listeners = new Set<() => void>();
let current: Session | null = read();

function read(): Session | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Pick<Session, 'token' | 'via'> | null;
    return stored ? fromToken(stored.token, stored.via) : null;
  } catch {
    return null;
  }
}

/** The session a token stands for; null when it is malformed or expired. */
export function fromToken(token: string, via: Session['via']): Session | null {
  const part = token.split('.')[1];
  if (!part) return null;
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as {
    sub?: string;
    role?: Role;
    programs?: string[];
    exp?: number;
  };
  if (!claims.sub || !claims.role || !claims.exp || claims.exp * 1000 <= Date.now()) return null;
  return {
    token,
    via,
    userId: claims.sub,
    role: claims.role,
    programs: claims.programs ?? [],
    expiresAt: claims.exp * 1000,
  };
}

export function getSession(): Session | null {
  if (current && current.expiresAt <= Date.now()) setSession(null);
  return current;
}

export function setSession(session: Session | null) {
  current = session;
  if (session) sessionStorage.setItem(KEY, JSON.stringify({ token: session.token, via: session.via }));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
  window.dispatchEvent(new Event('mentorship:session'));
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const useSession = () => useSyncExternalStore(subscribe, getSession);

/** The signed-in session in a page a role guard let through. */
export function useSignedIn(): Session {
  const session = useSession();
  if (!session) throw new Error('This page needs a signed-in user');
  return session;
}
