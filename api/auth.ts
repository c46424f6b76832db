import { createSecretKey, type KeyObject } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { createRemoteJWKSet, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { forbidden, ProblemError } from '../domain/problems.js';
import { type Actor, USER_ROLES, type UserRole } from '../domain/status.js';
import type { ApplicationRow } from '../mentees/client.js';

/** The verified caller: `programs` are the programs an admin runs or a mentor mentors in. */
export interface Principal {
  userId: string;
  role: UserRole;
  programs: string[];
}

const Claims = z.object({
  sub: z.string().min(1).max(64),
  role: z.enum(USER_ROLES),
  programs: z.array(z.string()).default([]),
});

export interface AuthOptions {
  issuer: string;
  audience: string;
  /** Production: the identity provider's key set. */
  jwksUrl?: string | undefined;
  /** Development: HS256 with a shared secret. */
  secret: string;
}

declare module 'hono' {
  /** The verified caller, set by `authenticate` for every router of the app. */
  interface ContextVariableMap {
    principal: Principal;
  }
}

/**
 * What anyone may read without a token: probes, the API's own description, certificate verification, calendar
 * feeds (their URL's token is the credential).
 */
const PUBLIC =
  /^\/(healthz|readyz|metrics|openapi\.json|docs(\/.*)?|certificates\/.*|calendars\/[^/]+|codec\/.*)$/;

/**
 * Verifies the Bearer token before anything else runs, so an anonymous or forged request is a 401 whatever its
 * body; routes then check the role. Public paths need no token.
 */
export function authenticate(options: AuthOptions): MiddlewareHandler {
  // the secret as a key object once, not imported again for every request's signature check
  const key = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl))
    : createSecretKey(Buffer.from(options.secret));
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) c.set('principal', await verify(header, key, options));
    else if (c.req.method !== 'OPTIONS' && !PUBLIC.test(c.req.path)) {
      throw unauthorized('This endpoint needs a bearer token (Authorization: Bearer <token>)');
    }
    await next();
  };
}

async function verify(
  header: string,
  key: KeyObject | ReturnType<typeof createRemoteJWKSet>,
  options: AuthOptions,
): Promise<Principal> {
  const [scheme, token] = header.split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !token) {
    throw unauthorized('The Authorization header must be "Bearer <token>"');
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key as KeyObject, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: options.jwksUrl ? ['RS256', 'ES256', 'EdDSA'] : ['HS256'],
      requiredClaims: ['exp', 'sub'],
    }));
  } catch (error) {
    throw unauthorized(`The bearer token is not valid: ${(error as Error).message}`);
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) {
    throw unauthorized(`The bearer token lacks a user id, a known role or a list of programs`);
  }
  return { userId: claims.data.sub, role: claims.data.role, programs: claims.data.programs };
}

const unauthorized = (detail: string) => new ProblemError(401, 'unauthorized', detail);

/** The verified caller, if the request carried a valid token. */
export const callerOf = (c: Context): Principal | undefined => c.get('principal');

/** The caller; 401 when the request carries no token. */
export function principal(c: Context): Principal {
  const found = c.get('principal');
  if (!found) throw unauthorized('This endpoint needs a bearer token (Authorization: Bearer <token>)');
  return found;
}

export function requireRole(c: Context, ...roles: UserRole[]): Principal {
  const p = principal(c);
  if (!roles.includes(p.role)) {
    throw forbidden(`This needs the role ${roles.join(' or ')}; the caller is a ${p.role}`);
  }
  return p;
}

/** Ops, or an admin of this program. */
export function requireProgram(c: Context, programId: string): Principal {
  const p = requireRole(c, 'admin', 'ops');
  if (!runsProgram(p, programId)) throw forbidden(`The caller is not an admin of program ${programId}`);
  return p;
}

export const runsProgram = (p: Principal, programId: string) =>
  p.role === 'ops' || (p.role === 'admin' && p.programs.includes(programId));

export const actorFrom = (p: Principal): Actor => ({ userId: p.userId, role: p.role });

/** Signs a token the API accepts with a development secret (the `npm run token` command and the tests). */
export function mintToken(
  who: { userId: string; role: UserRole; programs?: string[] },
  options: Pick<AuthOptions, 'issuer' | 'audience' | 'secret'>,
  ttl = '8h',
): Promise<string> {
  return new SignJWT({ role: who.role, programs: who.programs ?? [] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(who.userId)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(options.secret));
}

/** Who may act on an application: its mentee, its mentor, any mentor of its program, the program's admins (and ops). */
export type Party = 'mentee' | 'mentor' | 'programMentor' | 'staff';

const PARTY_NAMES: Record<Party, string> = {
  mentee: 'its mentee',
  mentor: 'its mentor',
  programMentor: "the program's mentors",
  staff: "the program's admins and ops",
};

/** The caller, if they are one of `parties` of this application; 403 otherwise, before any workflow is touched. */
export function authorize(c: Context, application: ApplicationRow, ...parties: Party[]): Principal {
  const p = principal(c);
  const is: Record<Party, boolean> = {
    mentee: p.role === 'mentee' && p.userId === application.menteeId,
    mentor: p.role === 'mentor' && p.userId === application.mentorId,
    programMentor: p.role === 'mentor' && p.programs.includes(application.programId),
    staff: runsProgram(p, application.programId),
  };
  if (parties.some((party) => is[party])) return p;
  const who = parties.map((party) => PARTY_NAMES[party]);
  throw forbidden(`Only ${who.join(', ')} may do this on application ${application.id}`);
}
