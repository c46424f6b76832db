import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors, type JWK } from 'oidc-provider';

/**
 * A real OpenID Connect provider (panva's oidc-provider, certified) on 127.0.0.1 for the console's sign-in test:
 * one public client (authorization code + PKCE, no secret) redirecting to the console's /auth/callback, its own
 * login and consent pages (the library's development interactions: any user name, any password), and access tokens
 * issued as RS256 JWTs for one resource server (resource indicators) whose audience is the API's, with the
 * `role` and `programs` claims the API reads.
 */
export interface LocalProvider {
  issuer: string;
  jwksUrl: string;
  clientId: string;
  audience: string;
  /** The API's resource indicator: the console asks for a token for it (config.json `oidc.resource`). */
  resource: string;
  stop(): Promise<void>;
}

export interface Account {
  role: 'mentee' | 'mentor' | 'admin' | 'ops';
  programs?: string[];
}

export async function startProvider(options: {
  /** The console's origin: the client's redirect URI is <origin>/auth/callback. */
  consoleOrigin: string;
  /** The API's AUTH_AUDIENCE: the access tokens' `aud`. */
  audience: string;
  /** Who may sign in (by user name) and the role and programs their access token carries. */
  accounts: Record<string, Account>;
  clientId?: string;
}): Promise<LocalProvider> {
  const clientId = options.clientId ?? 'mentorship-console';
  // the resource indicator (an absolute URI, RFC 8707) of the API; its tokens' audience is the API's own
  const resource = `urn:mentorship:${options.audience}`;
  const server: Server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' } as JWK;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [`${options.consoleOrigin}/auth/callback`],
        post_logout_redirect_uris: [`${options.consoleOrigin}/sign-in`],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 15 * 60,
      AuthorizationCode: 60,
      IdToken: 15 * 60,
      Interaction: 10 * 60,
      Session: 3600,
      Grant: 3600,
    },
    // the console calls the token endpoint from the browser: its origin (that of its redirect URIs) may
    clientBasedCORS: (_ctx, origin, client) =>
      (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin),
    claims: { openid: ['sub'], profile: ['name'] },
    scopes: ['openid', 'profile', 'api'],
    async findAccount(_ctx, sub) {
      if (!options.accounts[sub]) return undefined;
      return { accountId: sub, claims: async () => ({ sub, name: sub }) };
    },
    async extraTokenClaims(_ctx, token) {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const account = options.accounts[token.accountId];
      return account ? { role: account.role, programs: account.programs ?? [] } : undefined;
    },
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // no default: the console must ask for the API's resource itself, as it would have to elsewhere
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, indicator) {
          if (indicator !== resource) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            scope: 'api',
            audience: options.audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 15 * 60,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  });
  // the development interactions accept any user name: only the accounts above get a token
  server.on('request', provider.callback());
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    clientId,
    audience: options.audience,
    resource,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
