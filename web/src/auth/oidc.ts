import type { User, UserManager } from 'oidc-client-ts';
import type { OidcConfig } from '../config';

/**
 * Production sign-in: OpenID Connect authorization code with PKCE (oidc-client-ts, loaded only when used), against
 * the identity provider whose keys the API trusts (AUTH_JWKS_URL). The access token carries `role` and `programs`
 * as the API reads them today; the console keeps it in sessionStorage like a development token.
 *
 * Tested against a real provider (panva's oidc-provider, e2e/oidc.spec.ts): public client, PKCE (S256), the access
 * token a JWT for the API's audience. Providers that pick the token's audience from a request parameter get it
 * from `audience` (Auth0 and the like) and `resource` (RFC 8707 resource indicators) when configured.
 */
export async function userManager(config: OidcConfig): Promise<UserManager> {
  const { UserManager, WebStorageStateStore } = await import('oidc-client-ts');
  const extra = config as OidcConfig & { resource?: string };
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: new URL('/auth/callback', window.location.origin).toString(),
    post_logout_redirect_uri: new URL('/sign-in', window.location.origin).toString(),
    response_type: 'code',
    scope: config.scope ?? 'openid profile',
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    // the console keeps the access token itself (session.ts) and signs in again when it expires: no hidden iframe
    // renewing it (which needs a silent_redirect_uri page), no session polling
    automaticSilentRenew: false,
    monitorSession: false,
    // the access token, not the userinfo endpoint, is what the API reads
    loadUserInfo: false,
    extraQueryParams: {
      ...(config.audience ? { audience: config.audience } : {}),
      ...(extra.resource ? { resource: extra.resource } : {}),
    },
  });
}

/**
 * The provider's answer on /auth/callback exchanged for tokens, once per page load: the code and its PKCE verifier
 * can be used only once, and React (StrictMode in development, a remount) may run the callback page's effect twice.
 */
let completing: { url: string; user: Promise<User> } | null = null;
export function completeSignIn(config: OidcConfig): Promise<User> {
  const url = window.location.href;
  if (completing?.url !== url) {
    completing = { url, user: userManager(config).then((manager) => manager.signinRedirectCallback(url)) };
  }
  return completing.user;
}
